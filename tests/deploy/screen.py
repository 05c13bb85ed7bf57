"""A virtual screen for the kiosk's compositor, real key presses, and reading screenshots.

Weston's x11 backend draws the kiosk's output into a window on Xvfb and takes its keyboard
and pointer from X: ``xdotool key`` (XTEST) presses keys as a keyboard does, so they go
through the compositor's own key handling before the app sees them. The compositor's
screenshot (``weston-screenshooter``, allowed by ``--debug``) is the picture the kiosk shows.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PAPER, BRAND, BRAND_DARK, NOTICE = 0xFFFFFF, 0x0B4F8A, 0x083A66, 0xFFF4CE
"""The kiosk theme's page, button, top bar and notice colours (kiosk/ui/theme.py)."""


@dataclass(frozen=True)
class Xvfb:
    """A running Xvfb: its display name and process."""

    display: str
    proc: subprocess.Popen[bytes]


@contextlib.contextmanager
def xvfb(width: int = 1920, height: int = 1080) -> Iterator[Xvfb]:
    """An Xvfb on a display number it picks itself (no clash with other runs)."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten",
         "tcp", "-noreset"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield Xvfb(f":{number}", proc)
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)


def press(display: str, *keys: str) -> None:
    """Press and release each key combination (``ctrl+alt+F2``) as a keyboard would."""
    env = {**os.environ, "DISPLAY": display}
    for key in keys:
        subprocess.run(["xdotool", "key", "--delay", "30", key], env=env, check=True,
                       timeout=10)


def pointer(display: str, *args: str) -> None:
    """``xdotool`` pointer commands (``mousemove X Y``, ``mousedown 1``...)."""
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True,
                   timeout=10)


@dataclass(frozen=True)
class Picture:
    """What a screenshot shows, in the few numbers the tests need."""

    width: int
    height: int
    paper: float
    brand: float
    brand_dark: float
    notice: float
    top_left: int
    bar_text: int
    """Pixel rows of the top bar (between the title and the buttons) with text in them: about
    20 for one line of the bar's small type, twice that for two."""

    @property
    def is_welcome(self) -> bool:
        """The welcome screen: dark top bar, white page, the big blue language buttons."""
        return (self.top_left == BRAND_DARK and self.paper > 0.3 and self.brand > 0.04
                and self.brand_dark > 0.02)

    @property
    def is_connected_welcome(self) -> bool:
        """The welcome screen with nothing in the top bar: connected, ready for a citizen."""
        return self.is_welcome and self.bar_text == 0

    @property
    def shows_a_bar_message(self) -> bool:
        """The welcome screen with a message in the top bar (offline, or why)."""
        return self.is_welcome and self.bar_text > 8

    @property
    def is_out_of_service(self) -> bool:
        """The out-of-service sign: dark top bar, white page, the notice box with what to do,
        none of the welcome screen's big blue buttons, nothing in the top bar."""
        return (self.top_left == BRAND_DARK and self.paper > 0.4 and self.notice > 0.01
                and self.brand < 0.005 and self.bar_text == 0)

    @property
    def is_black(self) -> bool:
        return self.paper == 0 and self.brand == 0


def read_picture(path: Path) -> Picture:
    """Colour shares over a 10-pixel grid, and how much of the top bar carries text."""
    from PyQt6.QtGui import QImage

    image = QImage(str(path))
    if image.isNull():
        raise ValueError(f"not an image: {path}")
    w, h = image.width(), image.height()
    counts = {PAPER: 0, BRAND: 0, BRAND_DARK: 0, NOTICE: 0}
    total = 0
    for y in range(0, h, 10):
        for x in range(0, w, 10):
            rgb = image.pixel(x, y) & 0xFFFFFF
            if rgb in counts:
                counts[rgb] += 1
            total += 1
    # Rows of the top bar (as far down as its colour reaches at the left edge), right of the
    # title and left of the hearing-loop sign, with light text.
    bar_colour = image.pixel(5, 5)
    bar_bottom = next((y for y in range(h) if image.pixel(5, y) != bar_colour), h)
    left, right = w // 10, w * 9 // 20
    text_rows = sum(
        1 for y in range(0, min(bar_bottom, 160))
        if any(_light(image.pixel(x, y)) for x in range(left, right, 2))
    )
    return Picture(w, h, counts[PAPER] / total, counts[BRAND] / total,
                   counts[BRAND_DARK] / total, counts[NOTICE] / total,
                   image.pixel(5, 5) & 0xFFFFFF, text_rows)


def _light(argb: int) -> bool:
    return all((argb >> shift) & 0xFF > 200 for shift in (0, 8, 16))


def difference(a: Path, b: Path) -> float:
    """Share of grid pixels that differ between two screenshots of the same size."""
    from PyQt6.QtGui import QImage

    one, two = QImage(str(a)), QImage(str(b))
    if one.size() != two.size():
        return 1.0
    changed = total = 0
    for y in range(0, one.height(), 8):
        for x in range(0, one.width(), 8):
            total += 1
            changed += one.pixel(x, y) != two.pixel(x, y)
    return changed / total
