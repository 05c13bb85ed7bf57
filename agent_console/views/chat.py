"""Text chat with the citizen, for when sound fails or a word must be spelt."""

from __future__ import annotations

import html

from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from agent_console.call_presenter import ChatLine
from agent_console.views.context import ViewContext
from i18n import local_time


class ChatPanel(QWidget):
    """The conversation and an input line."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = QLabel()
        self.title.setObjectName("title")
        self.log = QTextBrowser()
        self.log.setOpenLinks(False)
        self.input = QLineEdit()
        self.input.setMaxLength(1000)
        self.input.returnPressed.connect(self.send)
        self.send_button = QPushButton()
        self.send_button.clicked.connect(self.send)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.log, 1)
        layout.addLayout(row)
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        self.title.setText(self.ctx.t("chat.title"))
        self.input.setPlaceholderText(self.ctx.t("chat.placeholder"))
        self.send_button.setText(self.ctx.t("chat.send"))
        self.refresh()

    def send(self) -> None:
        """Send the typed line."""
        call = self.ctx.presenter.call
        if call is not None and call.send_chat(self.input.text()):
            self.input.clear()

    def refresh(self) -> None:
        """Rebuild the conversation."""
        call = self.ctx.presenter.call
        several = call is not None and call.members.several
        self.input.setPlaceholderText(self.ctx.t("chat.placeholder_all" if several
                                                 else "chat.placeholder"))
        lines = call.chat if call is not None else []
        self.log.setHtml("".join(self._line(line) for line in lines))
        bar = self.log.verticalScrollBar()
        if bar is not None:
            bar.setValue(bar.maximum())

    def _line(self, line: ChatLine) -> str:
        at = local_time(line.at).strftime("%H:%M")
        if line.sender == "system":
            text = html.escape(self.ctx.t(f"sys.{line.text}"))
            return f'<p style="color:#6b7280"><i>{at} {text}</i></p>'
        if line.sender == "member":
            who = f"{line.name} ({self.ctx.t(f'members.role_{line.role}')})"
        else:
            who = self.ctx.t("chat.me" if line.sender == "agent" else "chat.citizen")
        colour = {"agent": "#1d4ed8", "member": "#7c2d12"}.get(line.sender, "#15803d")
        body = html.escape(line.text).replace("\n", "<br>")
        return f'<p><span style="color:{colour}"><b>{html.escape(who)}</b></span> ' \
               f'<span style="color:#6b7280">{at}</span><br>{body}</p>'

    def _on_change(self, topic: str) -> None:
        if topic in ("chat", "call", "members"):
            self.refresh()
