"""Service choice: big tiles grouped by agency; closed ones greyed with their opening time."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import ScreenBase, button, label
from wire.server_messages import ServiceInfo

COLUMNS = 3
SHORT_WAIT_S = 120.0


class ServiceTile(QPushButton):
    """One service: agency, service name and its state in plain words."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        box = QVBoxLayout(self)
        box.setContentsMargins(26, 18, 26, 18)
        box.setSpacing(6)
        self.agency = label("tile_agency")
        self.name = label("tile_name")
        self.status = label("tile_status")
        for part in (self.agency, self.name, self.status):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(part)
        box.addStretch(1)
        self.service_id = ""


class ServicesScreen(ScreenBase):
    """Lists the services the server offers now."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 30, 60, 30)
        layout.setSpacing(16)
        self.title = label("h1")
        self.hint = label("body")
        self.notice = label("notice")
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.notice)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(
            self.area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(22)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.area.setWidget(self.grid_host)
        layout.addWidget(self.area, 1)
        self.empty = label("h2")
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        self.back = button("secondary")
        self.back.clicked.connect(presenter.back)
        row.addWidget(self.back)
        row.addStretch(1)
        layout.addLayout(row)
        self.tiles: list[ServiceTile] = []

    def _ordered(self) -> list[ServiceInfo]:
        lang = self.presenter.language
        return sorted(
            self.presenter.services,
            key=lambda s: (not self.presenter.selectable(s), getattr(s.agency_names, lang)),
        )

    def _status(self, info: ServiceInfo) -> str:
        lang = self.presenter.language
        if not info.open:
            if info.next_opening is not None:
                when = self.catalogue.when(lang, info.next_opening, self.presenter.wall_clock())
                return self.tr_("services.closed_until", when=when)
            return self.tr_("services.closed")
        if lang not in info.languages_available:
            return self.tr_("services.language_unavailable")
        wait = info.estimated_wait_s.get(lang)
        if wait is None:
            return ""
        if wait < SHORT_WAIT_S:
            return self.tr_("services.wait_short")
        return self.tr_("services.wait", minutes=self.catalogue.minutes(wait))

    def refresh(self) -> None:
        p, lang = self.presenter, self.presenter.language
        self.title.setText(self.tr_("services.title"))
        self.hint.setText(self.tr_("services.hint"))
        self.back.setText(self.tr_("common.back"))
        refusal = p.citizen.refusal
        self.notice.setVisible(refusal is not None)
        if refusal is not None:
            self.notice.setText(self._refusal_text(refusal.code, refusal.next_opening))
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
        for i, tile in enumerate(self.tiles):
            if i >= len(services):
                tile.setVisible(False)
                continue
            info = services[i]
            tile.service_id = info.id
            tile.agency.setText(getattr(info.agency_names, lang))
            tile.name.setText(getattr(info.names, lang))
            tile.status.setText(self._status(info))
            tile.setEnabled(p.selectable(info))
            self.grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
            tile.setVisible(True)

    def _refusal_text(self, code: str, next_opening: float | None) -> str:
        if code == "service_closed" and next_opening is not None:
            when = self.catalogue.when(
                self.presenter.language, next_opening, self.presenter.wall_clock()
            )
            return self.tr_("refusal.service_closed_until", when=when)
        known = {"service_closed", "queue_full", "language_unavailable", "offline"}
        return self.tr_(f"refusal.{code}" if code in known else "refusal.generic")
