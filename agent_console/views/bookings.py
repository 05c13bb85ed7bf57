"""The bookings tab: a day's bookings (today or the next two weeks) with their state,
cancelling, and booking a time for a citizen (no personal data is asked or shown: a booking is
a time, a service and a code)."""

from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from agent_console.bookings import BookingsPresenter
from agent_console.views.context import ViewContext
from i18n import local_time

STATE_COLOURS = {
    "booked": "#1f2937",
    "checked_in": "#15803d",
    "in_call": "#1d4ed8",
    "no_show": "#b91c1c",
    "cancelled": "#6b7280",
    "done": "#4b5563",
}
COLUMNS = ("time", "service", "site", "clerk", "state", "code")


def _hm(epoch: float) -> str:
    return local_time(epoch).strftime("%H:%M")


def _day_hm(epoch: float) -> str:
    at = local_time(epoch)
    return f"{at.day}.{at.month}. {at:%H:%M}"


class BookingsPanel(QWidget):
    """A day's list on top; cancelling by code and booking for a citizen below."""

    def __init__(self, ctx: ViewContext, bookings: BookingsPresenter) -> None:
        super().__init__()
        self.ctx = ctx
        self.bookings = bookings
        self.summary = QLabel()
        self.summary.setObjectName("subtle")
        self.list_day = QComboBox()  # which day's bookings the list shows
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(bookings.refresh)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        rows = self.table.verticalHeader()
        assert rows is not None
        rows.setVisible(False)
        # Long service and site names wrap onto a second line instead of being cut short.
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        assert header is not None
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        for col in (1, 2):  # service and site share what is left
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.cancel_selected = QPushButton()
        self.cancel_selected.clicked.connect(self._cancel_selected)
        self.code = QLineEdit()
        self.code.setMaxLength(16)
        self.cancel_code = QPushButton()
        self.cancel_code.clicked.connect(self._cancel_code)
        # Booking for a citizen.
        self.book_box = QGroupBox()
        self.service = QComboBox()
        self.language = QComboBox()
        self.day = QComboBox()
        self.with_me = QCheckBox()
        self.with_me.setChecked(True)
        self.find_button = QPushButton()
        self.find_button.clicked.connect(self._find)
        self.slots = QListWidget()
        self.slots.setMinimumHeight(100)
        self.book = QPushButton()
        self.book.setObjectName("primary")
        self.book.clicked.connect(self._book)
        self.made = QLabel()
        self.made.setObjectName("big")
        self.made.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.labels = {name: QLabel() for name in ("service", "language", "day", "code")}
        form = QGridLayout(self.book_box)
        form.addWidget(self.labels["service"], 0, 0)
        form.addWidget(self.service, 0, 1)
        form.addWidget(self.labels["language"], 0, 2)
        form.addWidget(self.language, 0, 3)
        form.addWidget(self.labels["day"], 1, 0)
        form.addWidget(self.day, 1, 1)
        form.addWidget(self.with_me, 1, 2)
        form.addWidget(self.find_button, 1, 3)
        form.addWidget(self.slots, 2, 0, 1, 4)
        form.addWidget(self.book, 3, 3)
        form.addWidget(self.made, 3, 0, 1, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.list_day)
        top.addWidget(self.refresh_button)
        cancel_row = QHBoxLayout()
        cancel_row.addWidget(self.cancel_selected)
        cancel_row.addStretch(1)
        cancel_row.addWidget(self.labels["code"])
        cancel_row.addWidget(self.code)
        cancel_row.addWidget(self.cancel_code)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 3)
        layout.addLayout(cancel_row)
        layout.addWidget(self.notice)
        layout.addWidget(self.book_box, 2)
        bookings.subscribe(lambda _topic: self.refresh())
        ctx.presenter.subscribe(lambda topic: self._fill_choices() if topic in (
            "services", "session") else None)
        self.service.currentIndexChanged.connect(self._form_changed)
        self.language.currentIndexChanged.connect(self._form_changed)
        self.day.currentIndexChanged.connect(self._form_changed)
        self.list_day.currentIndexChanged.connect(
            lambda _i: bookings.show_day(self.list_day.currentData()))
        self.with_me.toggled.connect(lambda on: bookings.set_form(with_me=on))
        self.retranslate()

    # ------------------------------------------------------------------------ texts

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.table.setHorizontalHeaderLabels([t(f"bookings.col_{c}") for c in COLUMNS])
        self.refresh_button.setText(t("history.refresh"))
        self.cancel_selected.setText(t("bookings.cancel_selected"))
        self.labels["code"].setText(t("bookings.code"))
        self.code.setPlaceholderText("ABC-DEF")
        self.cancel_code.setText(t("bookings.cancel_code"))
        self.book_box.setTitle(t("bookings.book_title"))
        self.labels["service"].setText(t("bookings.service"))
        self.labels["language"].setText(t("bookings.language"))
        self.labels["day"].setText(t("bookings.day"))
        self.with_me.setText(t("bookings.with_me"))
        self.find_button.setText(t("bookings.find"))
        self.book.setText(t("bookings.book"))
        self._fill_choices()
        self.refresh()

    def _fill_choices(self) -> None:
        """Services and languages the agent serves; the next fourteen days."""
        p, b = self.ctx.presenter, self.bookings
        session = p.session
        skills = list(session.info.skills) if session else []
        languages = list(session.info.languages) if session else []
        self._refill(self.service, [(self.ctx.service(s), s) for s in skills], b.form.service)
        self._refill(self.language, [(self.ctx.language(x), x) for x in languages],
                     b.form.language)
        days = b.days()
        names = [self._day_name(i, d) for i, d in enumerate(days)]
        self._refill(self.day, list(zip(names, days, strict=True)), b.form.day)
        self._refill(self.list_day, list(zip(names, days, strict=True)), b.list_day)
        self._form_changed()

    def _day_name(self, index: int, day: str) -> str:
        if index == 0:
            return self.ctx.t("bookings.today")
        if index == 1:
            return self.ctx.t("bookings.tomorrow")
        weekday = self.ctx.t(f"bookings.weekday_{dt.date.fromisoformat(day).weekday()}")
        return f"{weekday} {int(day[8:])}.{int(day[5:7])}."

    @staticmethod
    def _refill(box: QComboBox, items: list[tuple[str, str]], current: str | None) -> None:
        box.blockSignals(True)
        box.clear()
        for text, data in items:
            box.addItem(text, data)
        index = box.findData(current) if current is not None else 0
        box.setCurrentIndex(max(0, index))
        box.blockSignals(False)

    # ------------------------------------------------------------------------- state

    def refresh(self) -> None:
        """Show the presenter's bookings, slots, result and notice."""
        b, t = self.bookings, self.ctx.t
        rows = b.rows()
        counts = b.counts()
        parts = [t(f"bookings.state_{s}") + f" {n}" for s, n in counts.items() if n]
        if b.is_today():
            summary = t("bookings.summary", count=len(rows))
        else:
            index = max(0, self.list_day.findData(b.day))
            summary = t("bookings.summary_day", count=len(rows), day=self.list_day.itemText(index))
        self.summary.setText(summary +
                             (" · " + " · ".join(parts) if parts else ""))
        self.table.setRowCount(len(rows))
        # The server keeps only a digest of each code: the list rarely has one to show.
        self.table.setColumnHidden(COLUMNS.index("code"), not any(r.code for r in rows))
        for i, item in enumerate(rows):
            state = t(f"bookings.state_{item.state}")
            cells = [
                f"{_hm(item.start)}–{_hm(item.end)}",
                f"{self.ctx.service(item.service)} · {self.ctx.language(item.language)}",
                self.ctx.site(item.site.names),
                item.clerk_name or t("bookings.any_clerk"),
                state,
                b.code_text(item.code) if item.code else "",
            ]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.booking_id)
                cell.setToolTip(f"{text} · {item.kiosk}" if item.kiosk and col == 4 else text)
                if COLUMNS[col] == "state":
                    cell.setForeground(QColor(STATE_COLOURS.get(item.state, "#111827")))
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(i, col, cell)
        form = b.form
        for box, value in ((self.service, form.service), (self.language, form.language),
                           (self.day, form.day)):
            index = box.findData(value)
            if index >= 0 and index != box.currentIndex():
                box.blockSignals(True)
                box.setCurrentIndex(index)
                box.blockSignals(False)
        self.slots.clear()
        for slot in form.slots:
            site = self.ctx.site(slot.site.names)
            text = t("bookings.slot", time=f"{_hm(slot.start)}–{_hm(slot.end)}", site=site,
                     clerks=slot.clerks_free)
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, slot.start)
            self.slots.addItem(entry)
        if form.searched and not form.slots:
            self.slots.addItem(QListWidgetItem(t("bookings.no_slots")))
        self.find_button.setEnabled(not form.busy)
        self.book.setEnabled(bool(form.slots) and not form.busy)
        made = b.made
        self.made.setText(
            t("bookings.made_code", code=b.code_text(made.code), time=_day_hm(made.start))
            if made else ""
        )
        self.made.setVisible(made is not None)
        self.notice.setText(t(b.notice) if b.notice else "")
        self.notice.setVisible(b.notice is not None)

    # --------------------------------------------------------------------- commands

    def _form_changed(self) -> None:
        self.bookings.set_form(
            service=self.service.currentData(),
            language=self.language.currentData(),
            day=self.day.currentData(),
        )

    def _find(self) -> None:
        self._form_changed()
        self.bookings.find_slots()

    def _book(self) -> None:
        row = self.slots.currentRow()
        slots = self.bookings.form.slots
        if 0 <= row < len(slots):
            self.bookings.book(slots[row])

    def _cancel_selected(self) -> None:
        row = self.table.currentRow()
        cell = self.table.item(row, 0) if row >= 0 else None
        if cell is not None:
            self.bookings.cancel_item(str(cell.data(Qt.ItemDataRole.UserRole)))

    def _cancel_code(self) -> None:
        if self.bookings.cancel_code(self.code.text()):
            self.code.clear()
