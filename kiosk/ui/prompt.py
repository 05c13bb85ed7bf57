"""The "are you still there?" prompt: a card over the dimmed screen, two big answers."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor, QPainter, QPaintEvent
from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import button, label


class PromptOverlay(QWidget):
    """Covers the whole window while the presenter asks; touches reach only the card."""

    def __init__(self, parent: QWidget, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.catalogue = catalogue
        outer = QVBoxLayout(self)
        outer.setContentsMargins(160, 60, 160, 60)
        outer.addStretch(3)  # low on the screen: the answers within reach from a wheelchair
        self.card = QWidget()
        self.card.setObjectName("card")
        self.card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        box = QVBoxLayout(self.card)
        box.setContentsMargins(60, 50, 60, 50)
        box.setSpacing(30)
        self.title = label("h1")
        self.body = label("h2")
        box.addWidget(self.title)
        box.addWidget(self.body)
        row = QHBoxLayout()
        row.setSpacing(30)
        self.stay = button("primary")
        self.stay.clicked.connect(presenter.still_here)
        self.leave = button("secondary")
        self.leave.clicked.connect(presenter.start_over)
        row.addWidget(self.stay, 1)
        row.addWidget(self.leave, 1)
        box.addLayout(row)
        outer.addWidget(self.card)
        outer.addStretch(1)
        self.hide()

    def paintEvent(self, event: QPaintEvent | None) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 170))
        painter.end()

    def refresh(self) -> None:
        """Show or hide the prompt; count its seconds down."""
        p = self.presenter
        prompt = p.prompt
        if prompt is None:
            self.hide()
            return
        tr, lang = self.catalogue.tr, p.language
        title, body = wording.prompt_lines(p, self.catalogue)
        self.title.setText(title)
        self.body.setText(body)
        self.stay.setText(tr(lang, "prompt.keep_waiting" if prompt.kind == "reconnect"
                             else "prompt.here"))
        self.leave.setText(tr(lang, "waiting.cancel" if prompt.kind == "waiting"
                              else "prompt.start_over"))
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
