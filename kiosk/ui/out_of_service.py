"""Out of service: the kiosk cannot serve anyone now; it says so in large type, and what to do.

Shown instead of the welcome screen (and the screens before the queue) while the server is
out of reach for a while or cannot be trusted, so nobody starts a visit that cannot work.  It
reads like a sign: a symbol, the title, what to do instead (highlighted), why, other ways to
do the errand, and that the operators know.  The controls bar stays (language, text size,
contrast, reading aloud); nothing else is touchable.
"""

from __future__ import annotations

from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QVBoxLayout, QWidget

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui import theme
from kiosk.ui.widgets import ScreenBase, ScrollPage, label


class SignSymbol(QWidget):
    """A "!" in a ring, in the heading colour of the current theme."""

    def __init__(self, size: int = 132) -> None:
        super().__init__()
        self.setFixedSize(size, size)
        self.ink = "#083a66"

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = float(self.width())
        ring = s / 11
        painter.setPen(QPen(QColor(self.ink), ring))
        painter.drawEllipse(QRectF(ring, ring, s - 2 * ring, s - 2 * ring))
        font = QFont(self.font())
        font.setPixelSize(round(s * 0.62))
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(QRectF(0, 0, s, s), int(Qt.AlignmentFlag.AlignCenter), "!")
        painter.end()


class OutOfServiceScreen(ScreenBase):
    """The sign: a symbol, the title, why, and what to do instead."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(160, 20, 160, 20)
        self.page = ScrollPage()
        body = self.page.body
        body.setSpacing(26)
        self.symbol = SignSymbol()
        self.title = label("big")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.what_to_do = label("sign_help")
        self.reason = label("h2")
        self.other_ways = label("purpose")
        self.operators = label("body")
        body.addStretch(1)
        body.addWidget(self.symbol, 0, Qt.AlignmentFlag.AlignHCenter)
        body.addWidget(self.title)
        body.addSpacing(10)
        for line in (self.what_to_do, self.reason, self.other_ways, self.operators):
            body.addWidget(line)
        body.addStretch(1)
        layout.addWidget(self.page, 1)
        layout.addWidget(self.page.hint, 0, Qt.AlignmentFlag.AlignRight)

    def refresh(self) -> None:
        p = self.presenter
        self.symbol.ink = theme.palette(p.citizen.high_contrast).heading
        self.symbol.setVisible(not p.citizen.large_text)  # the room goes to the words
        self.symbol.update()
        title, *lines = wording.out_of_service_lines(p, self.catalogue)
        self.title.setText(self.hy(title))
        for widget, text in zip(
            (self.what_to_do, self.reason, self.other_ways, self.operators), lines, strict=True
        ):
            widget.setText(self.hy(text))
        self.page.hint.setText(self.tr_("common.more_below"))
