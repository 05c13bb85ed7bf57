"""The agent's own calls of today (no citizen personal data exists to show)."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_console.i18n import format_duration
from agent_console.views.context import ViewContext
from i18n import local_time


class HistoryPanel(QWidget):
    """Time, service, language, site, duration, outcome and disposition of each call."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.table = QTableWidget(0, 7)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        header = self.table.horizontalHeader()
        assert header is not None
        for col in range(7):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setObjectName("subtle")
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(ctx.presenter.refresh_history)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignRight)
        ctx.presenter.subscribe(lambda topic: self.refresh() if topic == "history" else None)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.table.setHorizontalHeaderLabels(
            [t("history.time"), t("history.service"), t("history.language"), t("history.site"),
             t("history.duration"), t("history.outcome"), t("history.disposition")]
        )
        self.refresh_button.setText(t("history.refresh"))
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the table."""
        calls = self.ctx.presenter.history
        cat = self.ctx.catalogue
        self.summary.setText(self.ctx.t("history.summary", count=len(calls)))
        self.table.setRowCount(len(calls))
        for i, call in enumerate(calls):
            start = call.answered_at or call.queued_at
            duration = (
                format_duration(call.ended_at - call.answered_at)
                if call.ended_at and call.answered_at
                else "–"
            )
            outcome = call.outcome or ""
            cells = [
                local_time(start).strftime("%H:%M"),
                self.ctx.service(call.service),
                self.ctx.language(call.language),
                self.ctx.site(call.site.names if call.site else None),
                duration,
                self.ctx.t(f"outcome.{outcome}") if cat.has(f"outcome.{outcome}") else outcome,
                cat.disposition(call.disposition) if call.disposition else "–",
            ]
            for col, text in enumerate(cells):
                self.table.setItem(i, col, QTableWidgetItem(text))
