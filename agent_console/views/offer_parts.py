"""Pieces both offer panels (a citizen's call, an invitation into a call) are built from."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton


def field_grid(labels: Sequence[QLabel], values: Sequence[QLabel], *, wrap: bool) -> QGridLayout:
    """Label and value side by side, one row per field; the values take the spare width."""
    grid = QGridLayout()
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        label.setObjectName("subtle")
        value.setStyleSheet("font-size: 17px;")
        value.setWordWrap(wrap)
        grid.addWidget(label, i, 0)
        grid.addWidget(value, i, 1)
    grid.setColumnStretch(1, 1)
    return grid


def countdown_parts() -> tuple[QLabel, QProgressBar]:
    """The large seconds-left figure and the bar that runs down with it."""
    countdown = QLabel()
    countdown.setObjectName("huge")
    bar = QProgressBar()
    bar.setTextVisible(False)
    return countdown, bar


def answer_buttons(
    on_yes: Callable[[], None], on_no: Callable[[], None]
) -> tuple[QPushButton, QPushButton, QHBoxLayout]:
    """The large primary "yes" and the narrower "no", in one row."""
    yes = QPushButton()
    yes.setObjectName("primary")
    yes.setMinimumHeight(56)
    yes.clicked.connect(on_yes)
    no = QPushButton()
    no.setMinimumHeight(56)
    no.clicked.connect(on_no)
    row = QHBoxLayout()
    row.addWidget(yes, 2)
    row.addWidget(no, 1)
    return yes, no, row
