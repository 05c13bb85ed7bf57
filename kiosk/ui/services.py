"""Service choice: big tiles; closed ones greyed and dashed with their opening time, ones with
no clerk in the citizen's language marked and explained when touched.

Large text reflows: two columns instead of three, taller tiles, long words hyphenated.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk import booking_wording, wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import FlowGrid, ScreenBase, ScrollPage, button, label, set_state
from wire.server_messages import ServiceInfo

BOOKABLE_REFUSALS = frozenset({"kiosk_reserved", "queue_full", "service_closed"})
"""Refusals after which the services screen offers to book a time for that service."""
COLUMNS = 3
COLUMNS_LARGE = 2
BORDER_PX = 4


class ServiceTile(QPushButton):
    """One service: agency, service name and its state in plain words."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # A push button is vertically Fixed by default: it would keep one line's height
        # while its grid row grows for a wrapped name, and cut the name.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        box = QVBoxLayout(self)
        box.setContentsMargins(26, 16 + BORDER_PX, 26, 16 + BORDER_PX)
        box.setSpacing(6)
        self.agency = label("tile_agency")
        self.name = label("tile_name")
        self.status = label("tile_status")
        for part in (self.agency, self.name, self.status):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(part)
        box.addStretch(1)
        self.service_id = ""
        self.state = "open"

    def show_state(self, state: str) -> None:
        """``open``, ``other_language`` or ``closed``. Every tile does something when
        touched: a closed one offers a call back (issue 14)."""
        self.state = state
        for widget in (self, self.agency, self.name, self.status):
            set_state(widget, state)
        # A closed tile stays touchable: it offers a time booked here or a call back.


class ServicesScreen(ScreenBase):
    """Lists the services the server offers now."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 24, 60, 20)
        layout.setSpacing(14)
        self.title = label("h1")
        self.hint = label("body")
        self.notice = label("notice")
        self.reserved = label("body")
        self.book = button("secondary")  # after a refusal: book a time instead
        self.book.clicked.connect(self._book)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.reserved)
        layout.addWidget(self.notice)
        self.area = ScrollPage()
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(22)
        self.grid.setContentsMargins(0, 0, 8, 0)
        self.area.body.addWidget(self.grid_host)
        self.area.body.addStretch(1)
        layout.addWidget(self.area, 1)
        self.empty = label("h2")
        layout.addWidget(self.empty)
        notes = QHBoxLayout()
        notes.setSpacing(20)
        self.more_time_given = label("body")
        notes.addStretch(1)
        notes.addWidget(self.more_time_given)
        layout.addLayout(notes)
        self.back = button("secondary")
        self.back.clicked.connect(presenter.back)
        self.more_time = button("secondary")
        self.more_time.clicked.connect(presenter.request_more_time)
        self.buttons = FlowGrid(last_right=True)
        # "More below" sits at the right of the buttons, under the scroll bar, rather than on a
        # row of its own: with large text every row taken from the list hides a row of services.
        self.buttons.set_items([self.back, self.book, self.more_time, self.area.hint])
        layout.addWidget(self.buttons)
        self.tiles: list[ServiceTile] = []
        self._columns = 0

    def _ordered(self) -> list[ServiceInfo]:
        p = self.presenter
        rank = {"open": 0, "other_language": 1, "closed": 2}
        return sorted(
            p.services,
            key=lambda s: (rank[p.tile_state(s)], getattr(s.agency_names, p.language)),
        )

    def refresh(self) -> None:
        p, lang = self.presenter, self.presenter.language
        self.title.setText(self.tr_("services.title"))
        self.hint.setText(self.tr_("services.hint"))
        self.back.setText(self.tr_("common.back"))
        self.area.hint.setText(self.tr_("common.more_below"))
        self.more_time.setText(self.tr_("more_time.button"))
        self.more_time.setVisible(not p.citizen.more_time)
        self.more_time_given.setText(wording.more_time_line(p, self.catalogue))
        self.more_time_given.setVisible(p.citizen.more_time)
        refusal = p.citizen.refusal
        # With large text a refusal and its way out need the hint's room more than the hint.
        self.hint.setVisible(refusal is None or not p.citizen.large_text)
        self.book.setText(self.tr_("booking.book_button"))
        self.book.setVisible(refusal is not None and refusal.code in BOOKABLE_REFUSALS)
        self.buttons.reflow()
        self.notice.setVisible(refusal is not None)
        if refusal is not None:
            self.notice.setText(self.hy(wording.refusal_text(p, self.catalogue, refusal)))
        reserved = booking_wording.reservation_line(p, self.catalogue)
        self.reserved.setText(reserved)
        self.reserved.setVisible(bool(reserved) and refusal is None)
        services = self._ordered()
        self.empty.setVisible(not services)
        self.empty.setText(
            self.tr_("services.loading" if not p.services_loaded else "services.none")
        )
        while len(self.tiles) < len(services):
            tile = ServiceTile()
            tile.clicked.connect(
                lambda _=False, t=tile: self.presenter.choose_service(t.service_id)
            )
            self.tiles.append(tile)
        columns = COLUMNS_LARGE if p.citizen.large_text else COLUMNS
        if columns != self._columns:
            self._columns = columns
            for col in range(COLUMNS):
                self.grid.setColumnStretch(col, 1 if col < columns else 0)
        for i, tile in enumerate(self.tiles):
            if i >= len(services):
                tile.setVisible(False)
                continue
            info = services[i]
            tile.service_id = info.id
            tile.agency.setText(self.hy(getattr(info.agency_names, lang)))
            tile.name.setText(self.hy(getattr(info.names, lang)))
            tile.status.setText(self.hy(wording.tile_status(p, self.catalogue, info)))
            tile.show_state(p.tile_state(info))
            self.grid.removeWidget(tile)
            self.grid.addWidget(tile, i // columns, i % columns)
            tile.setVisible(True)

    def _book(self) -> None:
        refusal = self.presenter.citizen.refusal
        if refusal is not None and refusal.service_id is not None:
            reason = "closed" if refusal.code == "service_closed" else "reserved"
            self.presenter.offer_booking(refusal.service_id, reason)  # type: ignore[arg-type]
