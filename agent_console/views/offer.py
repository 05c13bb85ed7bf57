"""The incoming offer: who is waiting, from where, for how long; accept or reject in time."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from agent_console.console_state import Phase
from agent_console.i18n import format_duration
from agent_console.views.context import ViewContext
from agent_console.views.offer_parts import answer_buttons, countdown_parts, field_grid
from i18n import local_time

FLASH_ON = "background: #c2410c; color: white;"
FLASH_OFF = "background: #fed7aa; color: #7c2d12;"


class OfferPanel(QFrame):
    """Shown while an offer stands; the banner flashes with the alert."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("card")
        self.banner = QLabel()
        self.banner.setObjectName("big")
        self.banner.setContentsMargins(16, 10, 16, 10)
        self.service = QLabel()
        self.service.setObjectName("big")
        self.service.setWordWrap(True)
        self.labels = [QLabel() for _ in range(4)]
        self.values = [QLabel() for _ in range(4)]
        grid = field_grid(self.labels, self.values, wrap=False)
        self.countdown, self.bar = countdown_parts()
        self.countdown_caption = QLabel()
        self.countdown_caption.setObjectName("subtle")
        self.accept, self.reject, buttons = answer_buttons(
            ctx.presenter.accept, ctx.presenter.reject
        )
        self.waiting_for_call = QLabel()
        self.waiting_for_call.setObjectName("subtle")
        self.booked = QLabel()  # a booked citizen: the meeting's time, and whether with you
        self.booked.setObjectName("notice")
        self.booked.setWordWrap(True)
        count_box = QVBoxLayout()
        count_box.addWidget(self.countdown_caption)
        count_box.addWidget(self.countdown)
        top = QHBoxLayout()
        details = QVBoxLayout()
        details.addWidget(self.service)
        details.addLayout(grid)
        top.addLayout(details, 1)
        top.addLayout(count_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.booked)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        layout.addWidget(self.waiting_for_call)
        layout.addStretch(1)
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.banner.setText(t("offer.banner"))
        self.accept.setText(t("offer.accept"))
        self.reject.setText(t("offer.reject"))
        self.countdown_caption.setText(t("offer.time_to_answer"))
        for label, key in zip(
            self.labels, ("offer.language", "offer.site", "offer.kiosk", "offer.waited"),
            strict=True,
        ):
            label.setText(t(key))
        self.waiting_for_call.setText(t("offer.connecting"))
        self.refresh()

    def refresh(self) -> None:
        """Show the offer."""
        view = self.ctx.presenter.offer
        if view is None:
            return
        offer = view.offer
        self.service.setText(self.ctx.service(offer.service))
        self.values[0].setText(self.ctx.language(offer.language))
        self.values[1].setText(self.ctx.site(offer.site.names if offer.site else None))
        self.values[2].setText(offer.kiosk)
        booking = offer.booking
        self.booked.setVisible(booking is not None)
        if booking is not None:
            span = f"{local_time(booking.start):%H:%M}–{local_time(booking.end):%H:%M}"
            key = "offer.booked_with_you" if booking.named else "offer.booked_any"
            self.booked.setText(self.ctx.t(key, time=span))
        self.accept.setEnabled(not view.responded)
        self.reject.setEnabled(not view.responded)
        self.waiting_for_call.setVisible(view.responded)
        self._render_time()

    def _render_time(self) -> None:
        p = self.ctx.presenter
        view = p.offer
        if view is None:
            return
        remaining = p.offer_remaining_s()
        self.values[3].setText(format_duration(p.offer_waited_s()))
        self.countdown.setText(str(int(remaining + 0.999)))
        total = max(1, int(view.offer.expires_in_s * 10))
        self.bar.setRange(0, total)
        self.bar.setValue(int(remaining * 10))
        frame = p.alert_frame
        self.banner.setStyleSheet(FLASH_ON if frame.flash_on or not frame.active else FLASH_OFF)
        self.countdown.setStyleSheet("color: #b91c1c;" if frame.urgent else "")

    def _on_change(self, topic: str) -> None:
        if topic == "offer":
            self.refresh()
        elif topic in ("tick", "alert"):
            self._render_time()


class IdlePanel(QFrame):
    """What the agent sees between calls: ready and waiting, or not ready and why."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("card")
        self.headline = QLabel()
        self.headline.setObjectName("big")
        self.headline.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setObjectName("subtle")
        self.hint.setWordWrap(True)
        self.missed = QLabel()
        self.missed.setObjectName("notice")
        self.missed.setWordWrap(True)
        self.ready = QPushButton()
        self.ready.setObjectName("primary")
        self.ready.setMinimumHeight(56)
        self.ready.clicked.connect(ctx.presenter.set_ready)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(self.headline)
        layout.addWidget(self.hint)
        layout.addWidget(self.missed)
        layout.addSpacing(12)
        layout.addWidget(self.ready)
        layout.addStretch(1)
        ctx.presenter.subscribe(lambda topic: self.refresh() if topic != "tick" else None)
        self.refresh()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        self.refresh()

    def refresh(self) -> None:
        """Show why nothing is happening."""
        p, t = self.ctx.presenter, self.ctx.t
        ready = p.status.state == "ready"
        self.headline.setText(t("idle.ready" if ready else "idle.not_ready"))
        self.hint.setText(t("idle.ready_hint" if ready else "idle.not_ready_hint"))
        self.ready.setText(t("status.go_ready"))
        self.ready.setVisible(p.phase is Phase.NOT_READY)
        if p.status.reason == "missed_offers" and not ready:
            self.missed.setText(t("idle.missed_offers"))
            self.missed.setVisible(True)
        elif p.missed_offers and ready:
            self.missed.setText(t("idle.missed_count", count=p.missed_offers))
            self.missed.setVisible(True)
        else:
            self.missed.setVisible(False)
