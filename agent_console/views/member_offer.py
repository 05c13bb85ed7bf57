"""An invitation into a call: who invites, the citizen's service and language, where, how
many are in the call, the role asked and a note; join or decline in time."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
)

from agent_console.views.context import ViewContext
from agent_console.views.offer import FLASH_OFF, FLASH_ON
from agent_console.views.offer_parts import answer_buttons, countdown_parts, field_grid

FIELDS = ("role", "invited_by", "service", "language", "site", "members", "note")


class MemberOfferPanel(QFrame):
    """Shown while an invitation stands; the banner flashes with the alert."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("card")
        self.banner = QLabel()
        self.banner.setObjectName("big")
        self.banner.setContentsMargins(16, 10, 16, 10)
        self.labels = {name: QLabel() for name in FIELDS}
        self.values = {name: QLabel() for name in FIELDS}
        grid = field_grid([self.labels[n] for n in FIELDS], [self.values[n] for n in FIELDS],
                          wrap=True)
        self.countdown, self.bar = countdown_parts()
        self.accept, self.decline, buttons = answer_buttons(
            ctx.presenter.accept_member_offer, ctx.presenter.decline_member_offer
        )
        self.connecting = QLabel()
        self.connecting.setObjectName("subtle")
        top = QHBoxLayout()
        top.addLayout(grid, 1)
        top.addWidget(self.countdown)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        layout.addWidget(self.connecting)
        layout.addStretch(1)
        ctx.presenter.subscribe(self._on_change)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts from the catalogue."""
        t = self.ctx.t
        self.banner.setText(t("member_offer.banner"))
        for name in FIELDS:
            self.labels[name].setText(t(f"member_offer.{name}"))
        self.accept.setText(t("member_offer.accept"))
        self.decline.setText(t("member_offer.decline"))
        self.connecting.setText(t("member_offer.connecting"))
        self.refresh()

    def refresh(self) -> None:
        """Show the invitation."""
        view = self.ctx.presenter.member_offer
        if view is None:
            return
        t, offer = self.ctx.t, view.offer
        language = ""
        if offer.interpretation_language:
            language = t(f"ilang.{offer.interpretation_language.replace('-', '_')}")
        values = {
            "role": t(f"member_offer.as_{offer.role}", language=language)
            if offer.role == "interpreter" else t(f"member_offer.as_{offer.role}"),
            "invited_by": offer.invited_by,
            "service": self.ctx.service(offer.service),
            "language": self.ctx.language(offer.language),
            "site": offer.site or t("site.unknown"),
            "members": str(offer.members),
            "note": offer.note or "–",
        }
        for name, value in values.items():
            self.values[name].setText(value)
        self.accept.setEnabled(not view.responded)
        self.decline.setEnabled(not view.responded)
        self.connecting.setVisible(view.responded)
        self._render_time()

    def _render_time(self) -> None:
        p = self.ctx.presenter
        view = p.member_offer
        if view is None:
            return
        remaining = p.member_offer_remaining_s()
        self.countdown.setText(str(int(remaining + 0.999)))
        self.bar.setRange(0, max(1, int(view.offer.expires_in_s * 10)))
        self.bar.setValue(int(remaining * 10))
        frame = p.alert_frame
        self.banner.setStyleSheet(FLASH_ON if frame.flash_on or not frame.active else FLASH_OFF)

    def _on_change(self, topic: str) -> None:
        if topic == "member_offer":
            self.refresh()
        elif topic in ("tick", "alert"):
            self._render_time()
