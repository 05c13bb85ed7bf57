"""Where the pictures of a call of three or four go: one large tile and a few small ones.

Plain arithmetic on integers (no Qt), so the layout is tested for every screen size and
text size without drawing.  The large tile is the interpreter's when one is in the call:
its picture must stay big enough to read signs, so of the two arrangements (small tiles in
a column at the right, or in a row underneath) the one giving the large picture more area
wins.  Each tile is a picture with its label (role and name) underneath, never over it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

Rect = tuple[int, int, int, int]
"""``(x, y, width, height)``."""

ASPECT: Final = 4 / 3
"""The picture shape the tiles are sized for (a 16:9 picture is letterboxed in it)."""
SMALL_SHARE_MAX: Final = 0.34
"""Small pictures never take more than this share of the stage's width or height."""
MIN_MAIN_SHARE: Final = 0.5
"""The large picture is at least half the stage's height if any arrangement allows it (before
small pictures get their minimum): it is the one the citizen reads signs or lips from."""
MIN_SMALL_PICTURE: Final = 90
"""A small picture lower than this shows too little of a face: an arrangement giving less
loses to one that does not (if any)."""


@dataclass(frozen=True)
class StageLayout:
    """The large tile and the small ones (in order), each picture plus label."""

    main: Rect
    small: tuple[Rect, ...]
    arrangement: str
    """``column`` (small tiles at the right) or ``row`` (underneath)."""

    def small_picture_height(self, label_height: Callable[[int], int]) -> int:
        """The lowest small picture's height."""
        return min((h - label_height(w) for _, _, w, h in self.small), default=0)

    def main_picture_area(self, label_height: Callable[[int], int]) -> int:
        """The large tile's picture area, in square pixels, inside the 4:3 shape."""
        _, _, w, h = self.main
        ph = max(0, h - label_height(w))
        pw = min(w, round(ph * ASPECT))
        return pw * min(ph, round(pw / ASPECT))


def _column(
    width: int, height: int, count: int, small_label: Callable[[int], int], gap: int,
    min_small_width: int,
) -> StageLayout:
    tile_h = (height - gap * (count - 1)) // count
    # The widest small tile whose picture and label fit its share of the height.
    tile_w = min(round(width * SMALL_SHARE_MAX), round((tile_h - small_label(200)) * ASPECT))
    tile_w = max(tile_w, min_small_width)
    for _ in range(3):  # the label's height depends on the width (wrapping)
        tile_w = max(min_small_width, min(tile_w, round((tile_h - small_label(tile_w)) * ASPECT)))
    x = width - tile_w
    small = tuple((x, i * (tile_h + gap), tile_w, tile_h) for i in range(count))
    return StageLayout((0, 0, max(0, x - gap), height), small, "column")


def _two_columns(
    width: int, height: int, count: int, small_label: Callable[[int], int], gap: int,
    min_small_width: int,
) -> StageLayout:
    rows = (count + 1) // 2
    tile_h = (height - gap * (rows - 1)) // rows
    widest = (width // 2 - gap) // 2  # the block of small tiles takes at most half
    tile_w = widest
    for _ in range(3):  # the label's height depends on the width (wrapping)
        tile_w = min(widest, round((tile_h - small_label(tile_w)) * ASPECT))
    tile_w = max(tile_w, min_small_width)
    block = 2 * tile_w + gap
    x = width - block
    small = tuple(
        (x + (i % 2) * (tile_w + gap), (i // 2) * (tile_h + gap), tile_w, tile_h)
        for i in range(count)
    )
    return StageLayout((0, 0, max(0, x - gap), height), small, "two_columns")


def _row(
    width: int, height: int, count: int, small_label: Callable[[int], int], gap: int,
    min_small_width: int,
) -> StageLayout:
    tile_w = max(min_small_width, (width - gap * (count - 1)) // count)
    picture_h = min(round(tile_w / ASPECT), round(height * SMALL_SHARE_MAX))
    tile_w = min(tile_w, max(min_small_width, round(picture_h * ASPECT)))
    tile_h = picture_h + small_label(tile_w)
    y = height - tile_h
    used = count * tile_w + gap * (count - 1)
    left = max(0, (width - used) // 2)
    small = tuple((left + i * (tile_w + gap), y, tile_w, tile_h) for i in range(count))
    return StageLayout((0, 0, width, max(0, y - gap)), small, "row")


def stage_layout(
    width: int,
    height: int,
    count: int,
    *,
    main_label: Callable[[int], int],
    small_label: Callable[[int], int],
    gap: int = 16,
    min_small_width: int = 240,
) -> StageLayout:
    """Place one large tile and ``count`` small ones in ``width`` × ``height``.

    ``main_label(w)`` / ``small_label(w)`` give a label's height at a tile width ``w``.
    """
    if count <= 0:
        return StageLayout((0, 0, width, height), (), "alone")
    options = [
        arrange(width, height, count, small_label, gap, min_small_width)
        for arrange in (_column, _row, _two_columns)
    ]

    def score(layout: StageLayout) -> tuple[bool, bool, int]:
        _, _, w, h = layout.main
        main_ok = h - main_label(w) >= height * MIN_MAIN_SHARE
        small_ok = layout.small_picture_height(small_label) >= MIN_SMALL_PICTURE
        return main_ok, small_ok, layout.main_picture_area(main_label)

    return max(options, key=score)
