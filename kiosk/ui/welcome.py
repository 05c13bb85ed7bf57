"""Welcome: a greeting in all three languages and three big language buttons."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.ui.widgets import ScreenBase, button, label
from wire.types import LANGUAGES, Language


class WelcomeScreen(ScreenBase):
    """First screen; the language chosen here carries through the visit."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 60, 80, 60)
        layout.setSpacing(28)
        self.greeting = label("h1")
        self.greeting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.greeting)
        self.subtitles = []
        for _ in LANGUAGES:
            sub = label("h2")
            sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.subtitles.append(sub)
            layout.addWidget(sub)
        layout.addSpacing(30)
        row = QHBoxLayout()
        row.setSpacing(40)
        row.addStretch(1)
        self.buttons: dict[Language, QPushButton] = {}
        for lang in LANGUAGES:
            b = button("welcome_lang")
            b.clicked.connect(lambda _=False, code=lang: presenter.choose_language(code))
            self.buttons[lang] = b
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(30)
        self.privacy = label("body")
        self.privacy.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.privacy)
        layout.addStretch(2)

    def refresh(self) -> None:
        cat = self.catalogue
        self.greeting.setText("  ·  ".join(cat.tr(lang, "welcome.title") for lang in LANGUAGES))
        # Each line in its own language: the citizen has not chosen yet.
        for sub, lang in zip(self.subtitles, LANGUAGES, strict=True):
            sub.setText(cat.tr(lang, "welcome.choose_language"))
        for code, b in self.buttons.items():
            b.setText(cat.tr(code, f"lang.{code}"))
        self.privacy.setText(
            "  ·  ".join(cat.tr(lang, "welcome.privacy_hint") for lang in LANGUAGES)
        )
