"""Other ways (issue 14): a closed service offers two large choices, a time booked at this
kiosk or a call back, each with one line on what happens next."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QPushButton, QSizePolicy, QVBoxLayout

from kiosk.flow import KioskPresenter
from kiosk.i18n import Catalogue
from kiosk.other_ways_wording import other_ways_text
from kiosk.ui.widgets import FlowGrid, ScreenBase, button, label


class ChoiceButton(QPushButton):
    """A large button with a bold title and, under it, what happens when it is touched."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("choice")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        box = QVBoxLayout(self)
        box.setContentsMargins(34, 20, 34, 22)
        box.setSpacing(6)
        self.title = label("choice_title")
        self.hint = label("choice_hint")
        for part in (self.title, self.hint):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(part)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_texts(self, title: str, hint: str) -> None:
        """The choice and its explanation (read together by assistive technology)."""
        self.title.setText(title)
        self.hint.setText(hint)
        self.setAccessibleName(f"{title}. {hint}")


class OtherWaysScreen(ScreenBase):
    """Why the service cannot serve now, then "book a time here" and "call me back"."""

    def __init__(self, presenter: KioskPresenter, catalogue: Catalogue) -> None:
        super().__init__(presenter, catalogue)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(100, 24, 100, 16)
        layout.setSpacing(14)
        self.layout_ = layout
        self.title = label("h1")
        self.service = label("h2")
        self.opens = label("body")
        self.choose = label("purpose")
        for widget in (self.title, self.service, self.opens, self.choose):
            layout.addWidget(widget)
        self.book = ChoiceButton()
        self.book.clicked.connect(lambda: presenter.choose_way("book"))
        self.callback = ChoiceButton()
        self.callback.clicked.connect(lambda: presenter.choose_way("callback"))
        layout.addSpacing(8)
        layout.addWidget(self.book)
        layout.addWidget(self.callback)
        layout.addStretch(1)
        self.back = button("secondary")
        self.back.clicked.connect(presenter.leave_other_ways)
        self.buttons = FlowGrid()
        self.buttons.set_items([self.back])
        layout.addWidget(self.buttons)

    def refresh(self) -> None:
        text = other_ways_text(self.presenter, self.catalogue)
        self.title.setText(self.hy(text.title))
        self.service.setText(self.hy(text.service))
        self.opens.setText(self.hy(text.opens))
        self.opens.setVisible(bool(text.opens))
        self.choose.setText(self.hy(text.choose))
        # With large text the two buttons need the room more than the line announcing them.
        large = self.presenter.citizen.large_text
        self.choose.setVisible(not large)
        self.layout_.setSpacing(10 if large else 14)
        self.book.set_texts(self.hy(text.book[0]), self.hy(text.book[1]))
        self.callback.set_texts(self.hy(text.callback[0]), self.hy(text.callback[1]))
        self.back.setText(text.back)
        self.buttons.reflow()
