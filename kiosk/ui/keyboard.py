"""An on-screen keyboard for the chat (a kiosk has no physical keyboard)."""

from __future__ import annotations

from typing import Final

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.widgets import button

ROWS: Final = ("1234567890", "qwertyuiopå", "asdfghjklöä", "zxcvbnm,.?")


class OnScreenKeyboard(QWidget):
    """Letter keys plus space, delete and send; emits what was typed."""

    typed = pyqtSignal(str)
    backspace = pyqtSignal()
    send = pyqtSignal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.keys: list[QPushButton] = []
        for row in ROWS:
            line = QHBoxLayout()
            line.setSpacing(6)
            for char in row:
                key = button("key")
                key.setText(char)
                key.clicked.connect(lambda _=False, c=char: self.typed.emit(c))
                line.addWidget(key)
                self.keys.append(key)
            layout.addLayout(line)
        bottom = QHBoxLayout()
        self.space = button("key")
        self.space.clicked.connect(lambda: self.typed.emit(" "))
        self.delete = button("key_fn")
        self.delete.clicked.connect(self.backspace.emit)
        self.send_button = button("key_send")
        self.send_button.clicked.connect(self.send.emit)
        bottom.addWidget(self.delete, 3)
        bottom.addWidget(self.space, 4)
        bottom.addWidget(self.send_button, 3)
        layout.addLayout(bottom)

    def retranslate(self, space: str, delete: str, send: str) -> None:
        """Texts of the function keys."""
        self.space.setText(space)
        self.delete.setText(delete)
        self.send_button.setText(send)
