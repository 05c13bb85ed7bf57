"""An on-screen keyboard (a kiosk has no physical keyboard): letters for the chat, or only
the characters of a booking code (:data:`CODE_ROWS`), bigger, without a space bar."""

from __future__ import annotations

from typing import Final

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.widgets import button
from wire.booking_code import CODE_ALPHABET

ROWS: Final = ("1234567890", "qwertyuiopå", "asdfghjklöä", "zxcvbnm,.?")
CODE_ROWS: Final = ("3479", "ACEFHJK", "MPRTWXY")
"""The code alphabet in reading order (digits, then letters A–Y): nothing else can be typed,
so a confusable character (O for 0, I for 1) cannot be typed by mistake."""
assert sorted("".join(CODE_ROWS)) == sorted(CODE_ALPHABET)


class OnScreenKeyboard(QWidget):
    """Keys of ``rows`` plus delete and send (and space, with ``space``); emits what was typed.

    The key style is ``key`` (``code_key``: the bigger keys of the code keyboard)."""

    typed = pyqtSignal(str)
    backspace = pyqtSignal()
    send = pyqtSignal()

    def __init__(
        self, rows: tuple[str, ...] = ROWS, *, space: bool = True, key_style: str = "key"
    ) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.keys: list[QPushButton] = []
        for row in rows:
            line = QHBoxLayout()
            line.setSpacing(6)
            for char in row:
                key = button(key_style)
                key.setText(char)
                key.clicked.connect(lambda _=False, c=char: self.typed.emit(c))
                line.addWidget(key)
                self.keys.append(key)
            layout.addLayout(line)
        bottom = QHBoxLayout()
        self.space = button("key")
        self.space.clicked.connect(lambda: self.typed.emit(" "))
        self.space.setParent(self)  # never a window of its own, even when left out
        self.space.setVisible(space)
        self.delete = button("key_fn")
        self.delete.clicked.connect(self.backspace.emit)
        self.send_button = button("key_send")
        self.send_button.clicked.connect(self.send.emit)
        bottom.addWidget(self.delete, 3)
        if space:
            bottom.addWidget(self.space, 4)
        bottom.addWidget(self.send_button, 3)
        layout.addLayout(bottom)

    def retranslate(self, space: str, delete: str, send: str) -> None:
        """Texts of the function keys."""
        self.space.setText(space)
        self.delete.setText(delete)
        self.send_button.setText(send)
