"""Welcome: what the kiosk is for, and a column per language to start in it.

The citizen has not chosen a language yet, so each column speaks its own: what the kiosk is
for, "choose your language", the language's big button, and that nothing is recorded.
Reading aloud is one touch away for those who cannot read the screen.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from kiosk.flow import KioskPresenter
from kiosk.hyphenation import hyphenate
from kiosk.i18n import Catalogue
from kiosk.ui.bars import CHECK
from kiosk.ui.widgets import ScreenBase, button, label
from wire.types import LANGUAGES, Language


class WelcomeScreen(ScreenBase):
    """First screen; the language chosen here carries through the visit."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 20, 40, 16)
        layout.setSpacing(16)
        self.greeting = label("h1")
        self.greeting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.greeting)
        columns = QHBoxLayout()
        columns.setSpacing(40)
        self.purposes: dict[Language, QLabel] = {}
        self.chooses: dict[Language, QLabel] = {}
        self.buttons: dict[Language, QPushButton] = {}
        self.privacy: dict[Language, QLabel] = {}
        self.appointments: dict[Language, QPushButton] = {}
        for lang in LANGUAGES:
            column = QVBoxLayout()
            column.setSpacing(10)
            purpose = label("purpose")
            choose = label("body")
            b = button("welcome_lang")
            b.clicked.connect(lambda _=False, code=lang: presenter.choose_language(code))
            hint = label("subtle")
            booked = button("appointment")  # "I have an appointment", in this column's language
            booked.clicked.connect(lambda _=False, code=lang: presenter.start_check_in(code))
            for widget in (purpose, choose, hint):
                widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(purpose)
            column.addStretch(1)
            column.addWidget(choose)
            column.addWidget(b)
            column.addWidget(hint)
            column.addWidget(booked)
            columns.addLayout(column, 1)
            self.appointments[lang] = booked
            self.purposes[lang] = purpose
            self.chooses[lang] = choose
            self.buttons[lang] = b
            self.privacy[lang] = hint
        layout.addLayout(columns)
        row = QHBoxLayout()
        row.addStretch(1)
        self.speech = button("secondary")
        self.speech.setCheckable(True)
        self.speech.clicked.connect(lambda _=False: presenter.toggle_speech())
        row.addWidget(self.speech)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def refresh(self) -> None:
        cat, p = self.catalogue, self.presenter
        self.greeting.setText("  ·  ".join(cat.tr(lang, "welcome.title") for lang in LANGUAGES))
        for lang in LANGUAGES:
            self.purposes[lang].setText(hyphenate(cat.tr(lang, "welcome.subtitle"), lang))
            self.chooses[lang].setText(cat.tr(lang, "welcome.choose_language"))
            self.buttons[lang].setText(cat.tr(lang, f"lang.{lang}"))
            self.privacy[lang].setText(cat.tr(lang, "welcome.privacy_hint"))
            self.appointments[lang].setText(cat.tr(lang, "booking.welcome_button"))
        on = p.citizen.speech
        self.speech.setChecked(on)
        self.speech.setText(
            (CHECK if on else "") + "  ·  ".join(cat.tr(lang, "bar.speech") for lang in LANGUAGES)
        )
