"""A supervisor's tab: the team's calls in progress, and listening in to one (the citizen
sees a banner saying so)."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_console.i18n import format_duration
from agent_console.views.context import ViewContext

DATA = 256


class TeamPanel(QWidget):
    """The list of the team's calls with a "listen in" button."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.note = QLabel()
        self.note.setObjectName("subtle")
        self.note.setWordWrap(True)
        self.calls = QListWidget()
        self.calls.currentItemChanged.connect(lambda *_: self._update())
        self.empty = QLabel()
        self.empty.setObjectName("subtle")
        self.listen = QPushButton()
        self.listen.setObjectName("primary")
        self.listen.clicked.connect(self._listen)
        self.reload = QPushButton()
        self.reload.clicked.connect(ctx.presenter.request_team_calls)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reload)
        buttons.addStretch(1)
        buttons.addWidget(self.listen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.calls, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        ctx.presenter.subscribe(lambda topic: self.refresh() if topic == "directory" else None)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.note.setText(t("team.note"))
        self.listen.setText(t("team.listen"))
        self.reload.setText(t("team.refresh"))
        self.empty.setText(t("team.none"))
        self.refresh()

    def refresh(self) -> None:
        """The team's calls as the server last listed them."""
        p, t = self.ctx.presenter, self.ctx.t
        team = p.team
        calls = team.team_calls if team is not None else []
        self.calls.clear()
        now = p.server_now()
        for call in calls:
            text = t("team.row", clerk=call.clerk, service=self.ctx.service(call.service),
                     language=self.ctx.language(call.language), members=call.members,
                     time=format_duration(max(0.0, now - call.since)))
            item = QListWidgetItem(text)
            item.setData(DATA, call.call_id)
            self.calls.addItem(item)
        self.empty.setVisible(not calls)
        self._update()

    def _update(self) -> None:
        self.listen.setEnabled(self.calls.currentItem() is not None
                               and self.ctx.presenter.call is None)

    def _listen(self) -> None:
        item = self.calls.currentItem()
        if item is not None:
            self.ctx.presenter.join_team_call(str(item.data(DATA)), "listen")
