"""Qt's own messages into our structured log, for the kiosk and the console UIs.

Qt reports problems (a missing font, a failed OpenGL context, a style sheet it cannot
parse) through its message handler, which prints plain text to stderr: outside the JSON
lines an operator's log collector reads.  :func:`route_qt_messages` sends them to the
``qt`` logger instead, at the matching level.
"""

from __future__ import annotations

import logging

from PyQt6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _handler(kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
    log.log(
        _LEVELS.get(kind, logging.WARNING),
        "%s",
        message or "",
        extra={"fields": {"qt_category": context.category}},
    )


def route_qt_messages() -> None:
    """Send every Qt message to the ``qt`` logger (call once, before the first window)."""
    qInstallMessageHandler(_handler)
