"""The top strip: who, state with time in state, ready / not ready, log out, link state."""

from __future__ import annotations

from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from agent_console.console_state import Phase
from agent_console.i18n import format_duration
from agent_console.presenter import NOT_READY_REASONS
from agent_console.views.context import ViewContext
from agent_console.views.style import STATE_COLOURS


class StatusBar(QWidget):
    """Agent state and the controls that change it."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.name = QLabel()
        self.name.setObjectName("title")
        self.pill = QLabel()
        self.pill.setObjectName("statePill")
        self.elapsed = QLabel()
        self.elapsed.setObjectName("subtle")
        self.link = QLabel()
        self.ready = QPushButton()
        self.ready.setObjectName("primary")
        self.ready.clicked.connect(ctx.presenter.set_ready)
        self.reason = QComboBox()
        for code in NOT_READY_REASONS:
            self.reason.addItem(code, code)
        self.not_ready = QPushButton()
        self.not_ready.clicked.connect(
            lambda: ctx.presenter.set_not_ready(str(self.reason.currentData()))
        )
        self.logout = QPushButton()
        self.logout.clicked.connect(ctx.presenter.logout)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        row.addWidget(self.name)
        row.addSpacing(12)
        row.addWidget(self.pill)
        row.addWidget(self.elapsed)
        row.addStretch(1)
        row.addWidget(self.link)
        row.addSpacing(12)
        row.addWidget(self.ready)
        row.addWidget(self.reason)
        row.addWidget(self.not_ready)
        row.addSpacing(12)
        row.addWidget(self.logout)
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.ready.setText(t("status.go_ready"))
        self.not_ready.setText(t("status.go_not_ready"))
        self.logout.setText(t("status.logout"))
        for i, code in enumerate(NOT_READY_REASONS):
            self.reason.setItemText(i, self.ctx.catalogue.not_ready_reason(code))
        self.refresh()

    def refresh(self) -> None:
        """Show the presenter's state."""
        p, t = self.ctx.presenter, self.ctx.t
        self.name.setText(self._who())
        phase = p.phase
        text = t(f"phase.{phase.value}")
        if phase is Phase.NOT_READY and p.status.reason:
            text = f"{text}: {self.ctx.catalogue.not_ready_reason(p.status.reason)}"
        self.pill.setText(text)
        self.pill.setStyleSheet(f"background: {STATE_COLOURS[phase.value]};")
        # While phoning a citizen back the result buttons make the clerk ready again.
        self.ready.setVisible(phase is Phase.NOT_READY and p.status.reason != "callback")
        can_pause = phase in (Phase.READY, Phase.WRAP_UP)
        self.reason.setVisible(can_pause)
        self.not_ready.setVisible(can_pause)
        self.not_ready.setText(
            t("status.not_ready_after" if phase is Phase.WRAP_UP else "status.go_not_ready")
        )
        self.logout.setEnabled(phase in (Phase.NOT_READY, Phase.READY, Phase.WRAP_UP)
                               and p.status.reason != "callback")
        self._render_clock()
        self._render_link()

    def _who(self) -> str:
        """The name, and an interpreter's languages or a supervisor's role."""
        p, t = self.ctx.presenter, self.ctx.t
        if p.session is None:
            return ""
        info = p.session.info
        if info.interpretation_languages:
            names = ", ".join(t(f"ilang.{c.replace('-', '_')}")
                              for c in info.interpretation_languages)
            return f"{info.name} · {t('status.interprets', languages=names)}"
        if info.supervisor:
            return f"{info.name} · {t('status.supervisor')}"
        return info.name

    def _render_clock(self) -> None:
        p = self.ctx.presenter
        if p.session is None:
            self.elapsed.setText("")
            return
        self.elapsed.setText(
            self.ctx.t("status.in_state", time=format_duration(p.time_in_state_s()))
        )

    def _render_link(self) -> None:
        state = self.ctx.presenter.connection
        ok = state == "connected"
        self.link.setText(self.ctx.t("link.ok" if ok else "link.reconnecting"))
        self.link.setStyleSheet("color: #15803d;" if ok else "color: #b91c1c; font-weight: bold;")
        self.link.setVisible(self.ctx.presenter.session is not None)

    def _on_change(self, topic: str) -> None:
        if topic == "tick":
            self._render_clock()
        elif topic == "connection":
            self._render_link()
        elif topic in ("phase", "status", "session"):
            self.refresh()
