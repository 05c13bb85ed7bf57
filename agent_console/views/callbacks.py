"""Callback tasks (issue 14): the open requests of the clerk's queues, and the one at hand.

:class:`CallbackList` is a tab beside the queues: each open request's service, language,
service point, how long until the promised day ends, attempts and state, soonest due first,
the overdue in red. :class:`CallbackTaskPanel` takes the right-hand side when a task is offered
(take or skip, with the time to answer) or taken (the number in large type, to dial on the
clerk's own phone, and what happened: done, no answer, try again later).
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from agent_console.callbacks import CallbackPresenter
from agent_console.views.context import ViewContext
from wire.callback_messages import CallbackInfo
from wire.phone import display_phone

DUE_SOON_S = 60 * 60
"""A promise that runs out within this is shown in red (and one past due)."""


def _hours(ctx: ViewContext, seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return ctx.t("callbacks.minutes", m=minutes)
    return ctx.t("callbacks.hours", h=minutes // 60, m=minutes % 60)


def due_text(ctx: ViewContext, seconds: float) -> str:
    """"in 3 h 20 min" or "overdue 5 min", for a promise's end."""
    if seconds < 0:
        return ctx.t("callbacks.overdue", time=_hours(ctx, -seconds))
    return ctx.t("callbacks.due_in", time=_hours(ctx, seconds))


def site_text(ctx: ViewContext, task: CallbackInfo) -> str:
    """The service point's name in the UI language."""
    return ctx.site(task.site.names if task.site else None)


class CallbackList(QTableWidget):
    """One row per open callback request within the clerk's skills and languages."""

    COLUMNS = ("service", "language", "site", "due", "attempts", "state")

    def __init__(self, ctx: ViewContext, callbacks: CallbackPresenter) -> None:
        super().__init__(0, len(self.COLUMNS))
        self.ctx = ctx
        self.callbacks = callbacks
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        header = self.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        callbacks.subscribe(self.refresh)
        ctx.presenter.subscribe(lambda topic: self.refresh() if topic == "tick" else None)
        self.retranslate()

    def retranslate(self) -> None:
        """Headers from the catalogue."""
        self.setHorizontalHeaderLabels([self.ctx.t(f"callbacks.{c}") for c in self.COLUMNS])
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows (the countdowns move on every tick)."""
        tasks = self.callbacks.tasks
        self.setRowCount(len(tasks))
        for i, task in enumerate(tasks):
            due = self.callbacks.due_in_s(task)
            cells = [
                self.ctx.service(task.service),
                self.ctx.language(task.language),
                site_text(self.ctx, task),
                due_text(self.ctx, due),
                str(task.attempts),
                self.ctx.t(f"callbacks.state_{task.state}"),
            ]
            for col, text in enumerate(cells):
                item = self.item(i, col)
                if item is None:
                    item = QTableWidgetItem()
                    self.setItem(i, col, item)
                item.setText(text)
                if col >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                urgent = col == 3 and due < DUE_SOON_S
                item.setForeground(QColor("#b91c1c" if urgent else "#111827"))
                font = item.font()
                font.setBold(urgent)
                item.setFont(font)


class CallbackTaskPanel(QFrame):
    """The offered or taken callback task; results are recorded here."""

    def __init__(self, ctx: ViewContext, callbacks: CallbackPresenter) -> None:
        super().__init__()
        self.ctx = ctx
        self.callbacks = callbacks
        self.setObjectName("card")
        self.banner = QLabel()
        self.banner.setObjectName("big")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #dbeafe; color: #1e3a8a; padding: 10px 16px;")
        self.service = QLabel()
        self.service.setObjectName("big")
        self.service.setWordWrap(True)
        self.phone = QLabel()
        self.phone.setStyleSheet("font-size: 40px; font-weight: bold; color: #111827;")
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.phone_hint = QLabel()
        self.phone_hint.setObjectName("subtle")
        self.phone_hint.setWordWrap(True)
        self.labels = [QLabel() for _ in range(4)]
        self.values = [QLabel() for _ in range(4)]
        grid = QGridLayout()
        for i, (name, value) in enumerate(zip(self.labels, self.values, strict=True)):
            name.setObjectName("subtle")
            value.setStyleSheet("font-size: 17px;")
            grid.addWidget(name, i, 0)
            grid.addWidget(value, i, 1)
        grid.setColumnStretch(1, 1)
        self.take = QPushButton()
        self.take.setObjectName("primary")
        self.skip = QPushButton()
        self.done = QPushButton()
        self.done.setObjectName("primary")
        self.no_answer = QPushButton()
        self.retry = QPushButton()
        for b in (self.take, self.skip, self.done, self.no_answer, self.retry):
            b.setMinimumHeight(56)
        self.take.clicked.connect(callbacks.take)
        self.skip.clicked.connect(callbacks.skip)
        self.done.clicked.connect(lambda: callbacks.record("done"))
        self.no_answer.clicked.connect(lambda: callbacks.record("no_answer"))
        self.retry.clicked.connect(lambda: callbacks.record("retry"))
        offer_row = QHBoxLayout()
        offer_row.addWidget(self.take, 2)
        offer_row.addWidget(self.skip, 1)
        result_row = QHBoxLayout()
        for b in (self.done, self.no_answer, self.retry):
            result_row.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        layout.setSpacing(12)
        layout.addWidget(self.banner)
        layout.addWidget(self.service)
        layout.addWidget(self.phone)
        layout.addWidget(self.phone_hint)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addLayout(offer_row)
        layout.addLayout(result_row)
        callbacks.subscribe(self.refresh)
        ctx.presenter.subscribe(lambda topic: self.refresh() if topic == "tick" else None)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.take.setText(t("callbacks.take"))
        self.skip.setText(t("callbacks.skip"))
        self.done.setText(t("callbacks.done"))
        self.no_answer.setText(t("callbacks.no_answer"))
        self.retry.setText(t("callbacks.retry"))
        self.phone_hint.setText(t("callbacks.phone_hint"))
        for name, key in zip(self.labels, ("language", "site", "due", "attempts"), strict=True):
            name.setText(t(f"callbacks.{key}"))
        self.refresh()

    def refresh(self) -> None:
        """Show the task at hand (offered or taken)."""
        c, t = self.callbacks, self.ctx.t
        taken, offered = c.taken, c.offer
        task = taken.task if taken is not None else offered.task if offered is not None else None
        if task is None:
            return
        if taken is not None:
            self.banner.setText(t("callbacks.call_now"))
        else:
            left = int(c.offer_remaining_s() + 0.999)
            self.banner.setText(t("callbacks.offered", seconds=left))
        self.service.setText(self.ctx.service(task.service))
        self.phone.setText(display_phone(taken.phone) if taken is not None else "")
        self.phone.setVisible(taken is not None)
        self.phone_hint.setVisible(taken is not None)
        self.values[0].setText(self.ctx.language(task.language))
        self.values[1].setText(site_text(self.ctx, task))
        self.values[2].setText(due_text(self.ctx, c.due_in_s(task)))
        max_attempts = taken.max_attempts if taken is not None else None
        self.values[3].setText(
            t("callbacks.attempt_of", n=task.attempts + 1, max=max_attempts)
            if max_attempts is not None else str(task.attempts)
        )
        for b in (self.take, self.skip):
            b.setVisible(taken is None)
        recording = taken is not None and taken.recording
        for b in (self.done, self.no_answer, self.retry):
            b.setVisible(taken is not None)
            b.setEnabled(not recording)
