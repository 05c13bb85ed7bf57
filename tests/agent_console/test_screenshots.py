"""The screenshot command renders every state (and so every view) without errors."""

from __future__ import annotations

from PyQt6.QtGui import QImage

from tools.console_screenshots import capture


def test_every_state_is_rendered(qapp, tmp_path):
    files = capture(tmp_path, "sv")
    names = [f.stem.split("-", 1)[1] for f in files]
    assert names == [
        "login", "new-password", "not-ready", "ready-with-queues", "offer-countdown",
        "in-call-chat-photo", "transfer-dialog", "wrap-up", "history", "bookings",
        "bookings-tomorrow", "callback-list", "callback-offer", "callback-task",
    ]
    for path in files:
        image = QImage(str(path))
        assert image.width() >= 1280 and image.height() >= 700, path


def test_every_member_state_is_rendered(qapp, tmp_path):
    from tools.console_member_screenshots import capture_members

    files = capture_members(tmp_path, "en")
    names = [f.stem.split("-", 1)[1] for f in files]
    assert names == [
        "clerk-three-interpreter", "clerk-invite-dialog", "clerk-four-supervisor-whisper",
        "clerk-four-supervisor-barge", "interpreter-offer", "interpreter-in-call",
        "supervisor-team-calls", "supervisor-listening",
    ]
    for path in files:
        image = QImage(str(path))
        assert image.width() >= 1280 and image.height() >= 700, path
