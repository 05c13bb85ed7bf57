"""The queue panel: the agent's queues with waiting count and longest wait, live."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from agent_console.i18n import format_duration
from agent_console.views.context import ViewContext

LONG_WAIT_S = 15 * 60
"""A longest wait above this is shown in red."""


class QueuePanel(QTableWidget):
    """One row per service × language queue within the agent's skills."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__(0, 5)
        self.ctx = ctx
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().setVisible(False)  # type: ignore[union-attr]
        header = self.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Headers from the catalogue."""
        t = self.ctx.t
        self.setHorizontalHeaderLabels(
            [t("queues.service"), t("queues.language"), t("queues.waiting"),
             t("queues.longest"), t("queues.ready_agents")]
        )
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows."""
        p = self.ctx.presenter
        rows = sorted(p.queues, key=lambda r: (-r.stat.waiting, r.stat.service, r.stat.language))
        self.setRowCount(len(rows))
        for i, row in enumerate(rows):
            stat = row.stat
            cells = [
                self.ctx.service(stat.service),
                self.ctx.language(stat.language),
                str(stat.waiting),
                format_duration(p.longest_wait_s(row)) if stat.waiting else "–",
                str(stat.ready_agents),
            ]
            for col, text in enumerate(cells):
                item = self.item(i, col)
                if item is None:
                    item = QTableWidgetItem()
                    self.setItem(i, col, item)
                item.setText(text)
                if col >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                bold = stat.waiting > 0 and col in (0, 2, 3)
                font = item.font()
                font.setBold(bold)
                item.setFont(font)
                long_wait = col == 3 and p.longest_wait_s(row) > LONG_WAIT_S
                item.setForeground(QColor("#b91c1c" if long_wait else "#111827"))

    def _on_change(self, topic: str) -> None:
        live = topic == "tick" and any(r.stat.waiting for r in self.ctx.presenter.queues)
        if live or topic in ("queues", "services", "session"):
            self.refresh()
