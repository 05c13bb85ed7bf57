"""Kiosk UI tests: offscreen Qt, one qasync loop per test, fail on any Qt warning."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PyQt6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QTextEdit, QWidget

T = TypeVar("T")

# The offscreen platform plugin says this for every frameless/fullscreen window it cannot
# resize like a window manager would; it is not a problem of the kiosk.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"
SOFT_HYPHEN = "\u00ad"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop (Qt and asyncio on one loop) for this test."""
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
        asyncio.set_event_loop(None)


def run(loop: qasync.QEventLoop, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
    """Run ``coro`` on the qasync loop, bounded."""
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


def visible_texts(root: QWidget) -> list[str]:
    """Every text a citizen could read in ``root`` right now."""
    out = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            text = widget.text()
        elif isinstance(widget, QLineEdit):
            text = widget.text() + "\n" + widget.placeholderText()
        elif isinstance(widget, QTextEdit):
            text = widget.toPlainText()
        else:
            text = ""
        caption = getattr(widget, "caption", "")
        for t in (text, caption if isinstance(caption, str) else ""):
            if t.strip():
                out.append(t.replace(SOFT_HYPHEN, ""))  # as read: hyphens only where broken
    return out


def all_texts(root: QWidget) -> list[str]:
    """Every text held by any widget under ``root``, visible or not."""
    out = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            out.append(widget.text())
        elif isinstance(widget, QTextEdit):
            out.append(widget.toPlainText())
            out.append(widget.toHtml())
    return out
