"""Language help: no clerk serves the citizen's language; why, and what exists instead."""

from __future__ import annotations

from PyQt6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import wording
from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.language_help import QueueOption
from kiosk.ui.widgets import FlowGrid, ScreenBase, ScrollPage, WrapButton, button, label
from kiosk.wording import HELP_LINES_BEFORE_CHOICES
from wire.types import LANGUAGES


class LanguageHelpScreen(ScreenBase):
    """The reason in plain words, the other queues with their waits, and the outlook."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(100, 30, 100, 20)
        layout.setSpacing(16)
        self.title = label("h1")
        layout.addWidget(self.title)
        self.page = ScrollPage()
        self.page.body.setSpacing(18)
        # The reason and the outlook, then the choices, then the rest: the choices must be
        # on screen without scrolling, even with large text.
        self.lines = [label("h2"), label("body"), label("body"), label("body")]
        for line in self.lines[: HELP_LINES_BEFORE_CHOICES - 1]:
            self.page.body.addWidget(line)
        self.options: list[WrapButton] = []
        for i in range(len(LANGUAGES) - 1):
            option = WrapButton()
            option.clicked.connect(lambda _=False, index=i: self._choose(index))
            self.options.append(option)
            self.page.body.addWidget(option)
        # Issue 14: a time booked here or a call back, in the citizen's own language, right
        # after the queues, side by side so that both show without scrolling.
        ways = QHBoxLayout()
        ways.setSpacing(14)
        self.book = WrapButton()
        self.book.clicked.connect(lambda: presenter.book_instead("language"))
        self.callback = WrapButton()
        self.callback.clicked.connect(lambda: presenter.call_back_instead("language"))
        for way in (self.book, self.callback):
            ways.addWidget(way, 1)
        self.page.body.addLayout(ways)
        for line in self.lines[HELP_LINES_BEFORE_CHOICES - 1 :]:
            self.page.body.addWidget(line)
        self.page.body.addStretch(1)
        layout.addWidget(self.page, 1)
        notes = QHBoxLayout()
        notes.setSpacing(20)
        self.more_time_given = label("body")
        notes.addWidget(self.page.hint)
        notes.addStretch(1)
        notes.addWidget(self.more_time_given)
        layout.addLayout(notes)
        self.back = button("secondary")
        self.back.clicked.connect(presenter.back)
        self.more_time = button("secondary")
        self.more_time.clicked.connect(presenter.request_more_time)
        self.buttons = FlowGrid(last_right=True)
        self.buttons.set_items([self.back, self.more_time])
        layout.addWidget(self.buttons)
        self.shown_options: list[QueueOption] = []

    def _choose(self, index: int) -> None:
        if index < len(self.shown_options):
            self.presenter.queue_in(self.shown_options[index].language)

    def refresh(self) -> None:
        p = self.presenter
        help_ = p.language_help()
        self.back.setText(self.tr_("language.other_service"))
        self.page.hint.setText(self.tr_("common.more_below"))
        self.more_time.setText(self.tr_("more_time.button"))
        self.more_time.setVisible(not p.citizen.more_time)
        self.more_time_given.setText(wording.more_time_line(p, self.catalogue))
        self.more_time_given.setVisible(p.citizen.more_time)
        self.buttons.reflow()
        texts = wording.language_help_lines(p, self.catalogue, help_) if help_ else [""]
        self.title.setText(texts[0])
        for i, line in enumerate(self.lines):
            text = texts[i + 1] if i + 1 < len(texts) else ""
            line.setText(self.hy(text))
            line.setVisible(bool(text))
        self.shown_options = list(help_.options) if help_ else []
        offered = help_ is not None and help_.callback_offered
        self.callback.setVisible(offered)
        self.book.setVisible(offered)
        if offered:
            in_language = wording.in_language(p, self.catalogue, p.language)
            self.book.set_text(self.hy(self.tr_("booking.language_offer",
                                                in_language=in_language)))
            self.callback.set_text(self.hy(self.tr_("callback.language_offer",
                                                    in_language=in_language)))
        for i, option in enumerate(self.options):
            if i < len(self.shown_options):
                choice = self.shown_options[i]
                option.set_text(self.hy(wording.option_text(p, self.catalogue, choice)))
                option.setVisible(True)
            else:
                option.setVisible(False)
