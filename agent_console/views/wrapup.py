"""Wrap-up: a disposition from the configured list, an optional note, countdown, ready early."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from agent_console.i18n import format_duration
from agent_console.presenter import NOTE_MAX_CHARS
from agent_console.views.context import ViewContext


class WrapUpPanel(QFrame):
    """Shown between a call's end and the agent's next ready."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("card")
        self.title = QLabel()
        self.title.setObjectName("big")
        self.call_line = QLabel()
        self.call_line.setObjectName("subtle")
        self.countdown = QLabel()
        self.countdown.setObjectName("title")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setStyleSheet("QProgressBar::chunk { background: #7c3aed; }")
        self.disp_label = QLabel()
        self.dispositions = QListWidget()
        self.dispositions.itemClicked.connect(self._picked)
        self.dispositions.currentItemChanged.connect(lambda cur, _prev: self._picked(cur))
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(80)
        self.note.textChanged.connect(self._note_changed)
        self.done = QPushButton()
        self.done.setObjectName("primary")
        self.done.setMinimumHeight(48)
        self.done.clicked.connect(ctx.presenter.finish_wrapup)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.countdown)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.call_line)
        layout.addWidget(self.bar)
        layout.addWidget(self.disp_label)
        layout.addWidget(self.dispositions, 1)
        layout.addWidget(self.note_label)
        layout.addWidget(self.note)
        layout.addWidget(self.done)
        self._call_id: str | None = None
        self._total = 1.0
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.title.setText(t("wrapup.title"))
        self.disp_label.setText(t("wrapup.disposition"))
        self.note_label.setText(t("wrapup.note", max=NOTE_MAX_CHARS))
        self.note.setPlaceholderText(t("wrapup.note_hint"))
        self._fill(force=True)
        self.refresh()

    def _fill(self, *, force: bool = False) -> None:
        wrap = self.ctx.presenter.wrapup
        if wrap is None or (wrap.call_id == self._call_id and not force):
            return
        new_call = wrap.call_id != self._call_id
        self._call_id = wrap.call_id
        self.dispositions.blockSignals(True)
        self.dispositions.clear()
        for code in self.ctx.presenter.dispositions:
            item = QListWidgetItem(self.ctx.catalogue.disposition(code))
            item.setData(256, code)
            self.dispositions.addItem(item)
            if code == wrap.disposition:
                self.dispositions.setCurrentItem(item)
        self.dispositions.blockSignals(False)
        if new_call:
            self.note.blockSignals(True)
            self.note.setPlainText(wrap.note)
            self.note.blockSignals(False)
            self._total = 1.0

    def refresh(self) -> None:
        """Show the wrap-up state."""
        wrap = self.ctx.presenter.wrapup
        if wrap is None:
            return
        self._fill()
        current = self.dispositions.currentItem()
        if wrap.disposition is not None and (
            current is None or current.data(256) != wrap.disposition
        ):
            for i in range(self.dispositions.count()):
                item = self.dispositions.item(i)
                if item is not None and item.data(256) == wrap.disposition:
                    self.dispositions.blockSignals(True)
                    self.dispositions.setCurrentItem(item)
                    self.dispositions.blockSignals(False)
        t = self.ctx.t
        service = self.ctx.service(wrap.service) if wrap.service else ""
        self.call_line.setText(t("wrapup.call", service=service) if service else "")
        self.done.setEnabled(not wrap.sent and wrap.disposition is not None)
        self.done.setText(t("wrapup.sent" if wrap.sent else "wrapup.done"))
        self._render_time()

    def _render_time(self) -> None:
        remaining = self.ctx.presenter.wrapup_remaining_s()
        if remaining is None:
            self.countdown.setText("")
            self.bar.setVisible(False)
            return
        self.bar.setVisible(True)
        self._total = max(self._total, remaining)  # the first figure seen is the whole span
        self.countdown.setText(self.ctx.t("wrapup.left", time=format_duration(remaining)))
        self.bar.setRange(0, int(self._total * 10))
        self.bar.setValue(int(remaining * 10))

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.ctx.presenter.choose_disposition(str(item.data(256)))

    def _note_changed(self) -> None:
        text = self.note.toPlainText()
        if len(text) > NOTE_MAX_CHARS:
            self.note.setPlainText(text[:NOTE_MAX_CHARS])
            return
        self.ctx.presenter.set_note(text)

    def _on_change(self, topic: str) -> None:
        if topic in ("wrapup", "phase", "services"):
            self.refresh()
        elif topic == "tick":
            self._render_time()
