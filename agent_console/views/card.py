"""The centred card that the login and new-password pages are laid out in."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFrame, QLayout, QVBoxLayout, QWidget

CARD_MARGIN = 28


def centred_card(page: QWidget, width: int, parts: list[QWidget | QLayout]) -> QFrame:
    """Lay ``parts`` out top to bottom in a fixed-width card, centred on ``page`` a little
    above the middle (more room below than above); return the card."""
    card = QFrame()
    card.setObjectName("card")
    card.setFixedWidth(width)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(CARD_MARGIN, 24, CARD_MARGIN, 24)
    inner.setSpacing(12)
    for part in parts:
        if isinstance(part, QLayout):
            inner.addLayout(part)
        else:
            inner.addWidget(part)
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
    outer.addStretch(2)
    return card
