"""Building blocks shared by the screens."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue


class ScreenBase(QWidget):
    """A screen: reads the presenter in :meth:`refresh`, forwards touches as intents."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__()
        self.presenter = presenter
        self.catalogue = catalogue

    def tr_(self, key: str, **params: object) -> str:
        """Text of ``key`` in the current language."""
        return self.catalogue.tr(self.presenter.language, key, **params)

    def refresh(self) -> None:
        """Show the presenter's current state."""
        raise NotImplementedError


def label(name: str, wrap: bool = True) -> QLabel:
    """A label styled by object name (``h1``, ``h2``, ``big``, ``notice``, ``body``)."""
    widget = QLabel()
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def button(name: str = "primary") -> QPushButton:
    """A big push button styled by object name (``primary``, ``secondary``, ``danger``)."""
    widget = QPushButton()
    widget.setObjectName(name)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return widget
