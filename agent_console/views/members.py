"""A call of three or four on the console: a grid of pictures (2×2 at four) with name and
role over each, per-member silence and removal, the supervisor banner, invitations under way,
and the controls of the user's role (invite, leave, a supervisor's modes)."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_console.members import CallMembers
from agent_console.views.context import ViewContext
from client_qt.video_view import VideoStyle, VideoView
from wire import member_messages as M

TILE_STYLE = VideoStyle(background="#111827", ink="#e5e7eb")
SELF_STYLE = VideoStyle(background="#111827", ink="#e5e7eb", border="#ffffff")
BANNER_STYLE = {
    "listen": "background: #fef3c7; color: #78350f; border: 2px solid #b45309;",
    "whisper": "background: #ede9fe; color: #3b0764; border: 2px solid #6d28d9;",
    "barge": "background: #fee2e2; color: #7f1d1d; border: 2px solid #b91c1c;",
}

INVITE_WHAT = {
    "agent": "invite.by_name",
    "service": "invite.to_queue",
    "interpreter": "invite.interpreter",
    "supervisor": "invite.supervisor",
}


def role_text(ctx: ViewContext, member: M.CallMember) -> str:
    """A member's role in the UI language ("Tulkki (arabia)")."""
    if member.role == "interpreter" and member.interpretation_language:
        language = ctx.t(f"ilang.{member.interpretation_language.replace('-', '_')}")
        return ctx.t("members.interpreter_of", language=language)
    return ctx.t(f"members.role_{member.role}")


class MemberTile(QFrame):
    """One member's picture with their name and role, and what may be done to them."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("card")
        self.member_id = ""
        self.name = QLabel()
        self.name.setObjectName("tileName")
        self.silence = QPushButton()
        self.silence.clicked.connect(lambda: self._do("toggle_mute"))
        self.remove = QPushButton()
        self.remove.setObjectName("danger")
        self.remove.clicked.connect(lambda: self._do("remove"))
        self.video = VideoView(TILE_STYLE)
        self.name.setMinimumHeight(self.silence.sizeHint().height())
        head = QHBoxLayout()
        head.addWidget(self.name, 1)
        head.addWidget(self.silence)
        head.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(head)
        layout.addWidget(self.video, 1)

    def show_member(self, members: CallMembers, member: M.CallMember | None) -> None:
        """Show ``member`` (None: this console's own picture)."""
        t = self.ctx.t
        feeds = self.ctx.feeds
        if member is None:
            me = next((m for m in members.members if m.member_id == members.you), None)
            role = role_text(self.ctx, me) if me is not None else ""
            self.member_id = ""
            self.name.setText(t("members.tile_you", role=role))
            self.video.style_ = SELF_STYLE
            if feeds is not None and self.video.slot is not feeds.own:
                self.video.set_slot(feeds.own)
            self.silence.setVisible(False)
            self.remove.setVisible(False)
            return
        self.member_id = member.member_id
        self.name.setText(t("members.tile", name=member.name, role=role_text(self.ctx, member)))
        self.video.style_ = TILE_STYLE
        if feeds is not None:
            # A pair of the mesh has its own picture; the kiosk's, in the call the
            # answering clerk began, is the first pair's.
            slot = feeds.members.get(member.member_id) or (
                feeds.remote if member.role == "kiosk" else feeds.slot(member.member_id))
            if self.video.slot is not slot:
                self.video.set_slot(slot)
        muted = member.member_id in members.muted
        self.silence.setVisible(True)
        self.silence.setText(t("members.unsilence" if muted else "members.silence"))
        self.silence.setObjectName("toggleOn" if muted else "")
        self.silence.setStyleSheet("")
        self.remove.setText(t("members.remove"))
        self.remove.setVisible(members.can_remove(member))
        # A supervisor who only listens or whispers sends a dark picture: say so instead.
        silent = member.role == "supervisor" and member.supervisor_mode != "barge"
        self.video.set_placeholder(t("members.away") if not member.connected
                                   else t("members.camera_off") if silent else "")
        self.video.set_caption(t("call.connecting"))

    def _do(self, action: str) -> None:
        call = self.ctx.presenter.call
        if call is not None and self.member_id:
            getattr(call.members, action)(self.member_id)


class MemberGrid(QWidget):
    """The citizen first, then the other members, then oneself: 2×2 at four members; at
    three the citizen's picture spans the top row."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.tiles = [MemberTile(ctx) for _ in range(M.MAX_MEMBERS)]
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        self._shape: tuple[int, ...] = ()

    def refresh(self, members: CallMembers) -> None:
        """Show the call's members."""
        others = sorted(members.others, key=lambda m: m.role != "kiosk")
        shown: list[M.CallMember | None] = [*others, None]
        shape = (len(shown),)
        if shape != self._shape:
            self._shape = shape
            for tile in self.tiles:
                self.grid.removeWidget(tile)
                tile.setVisible(False)
            for i, _ in enumerate(shown):
                tile = self.tiles[i]
                if len(shown) == 3:
                    row, col, span = (0, 0, 2) if i == 0 else (1, i - 1, 1)
                else:
                    row, col, span = i // 2, i % 2, 1
                self.grid.addWidget(tile, row, col, 1, span)
                tile.setVisible(True)
            for r in range(2):
                self.grid.setRowStretch(r, 1)
                self.grid.setColumnStretch(r, 1)
        for tile, member in zip(self.tiles, shown, strict=False):
            tile.show_member(members, member)


class MembersBar(QWidget):
    """Above the pictures: the supervisor banner, invitations, and the role's controls."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(10, 6, 10, 6)
        self.count = QLabel()
        self.count.setObjectName("subtle")
        self.invites = QLabel()
        self.invites.setWordWrap(True)
        self.cancel_invite = QPushButton()
        self.cancel_invite.clicked.connect(self._cancel_first)
        self.invite = QPushButton()
        self.invite.setObjectName("primary")
        self.leave = QPushButton()
        self.leave.setObjectName("danger")
        self.leave.clicked.connect(ctx.presenter.leave_call)
        self.modes: dict[M.SupervisorMode, QPushButton] = {}
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.count)
        row.addWidget(self.invites, 1)
        row.addWidget(self.cancel_invite)
        for mode in ("listen", "whisper", "barge"):
            button = QPushButton()
            button.setCheckable(True)
            button.clicked.connect(lambda _c=False, m=mode: self._set_mode(m))
            self.modes[mode] = button
            row.addWidget(button)
        row.addWidget(self.invite)
        row.addWidget(self.leave)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(row)

    def refresh(self, members: CallMembers) -> None:
        """Show who is in, invitations and the controls for the user's role."""
        t = self.ctx.t
        boss = members.supervisor
        self.banner.setVisible(boss is not None)
        if boss is not None:
            mode = boss.supervisor_mode or "listen"
            self.banner.setText(t(f"members.banner_{mode}", name=boss.name))
            self.banner.setStyleSheet(BANNER_STYLE[mode] + " font-weight: bold;")
        self.count.setText(t("members.count", count=max(2, len(members.members))))
        lines = []
        for status in members.open_invites():
            what = t(INVITE_WHAT[status.target if status.role == "second_clerk" else status.role])
            state = t(f"invite_state.{status.state}", name=status.name or "")
            lines.append(t("members.invite_line", what=what, state=state))
        self.invites.setText("\n".join(lines))
        waiting = [s for s in members.open_invites() if s.state in ("waiting", "ringing")]
        self.cancel_invite.setText(t("members.cancel_invite"))
        self.cancel_invite.setVisible(bool(waiting) and members.answering)
        self.invite.setText(t("members.invite"))
        self.invite.setVisible(members.answering)
        self.invite.setEnabled(members.can_invite())
        self.leave.setText(t("members.leave"))
        self.leave.setVisible(not members.answering)
        supervisor = members.your_role == "supervisor"
        for mode, button in self.modes.items():
            button.setText(t(f"members.mode_{mode}"))
            button.setVisible(supervisor)
            on = members.your_mode == mode
            button.setChecked(on)
            button.setObjectName("toggleOn" if on else "")
            button.setStyleSheet("")  # re-polish after the object name changed

    def _set_mode(self, mode: M.SupervisorMode) -> None:
        call = self.ctx.presenter.call
        if call is not None:
            call.members.set_mode(mode)
            self.refresh(call.members)

    def _cancel_first(self) -> None:
        call = self.ctx.presenter.call
        if call is None:
            return
        for status in call.members.open_invites():
            if status.state in ("waiting", "ringing"):
                call.members.cancel_invite(status.invite_id)
                return
