"""The pictures of a call of three or four: one large tile, small ones, the supervisor banner.

Every tile is a picture with a label *under* it (role and name in the citizen's language),
so no text covers a face or a signing hand; the citizen's own picture is a small tile of
its own rather than a corner over someone else's.  Geometry comes from
:mod:`kiosk.ui.stage_geometry`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import QVBoxLayout, QWidget

from client_core.frame_slot import FrameSlot
from client_qt.video_view import VideoStyle, VideoView
from kiosk.ui.stage_geometry import StageLayout, stage_layout
from kiosk.ui.widgets import label

SMALL_TILES = 3
"""Two other members and the citizen's own picture."""
LABEL_GAP = 6


@dataclass(frozen=True)
class TileContent:
    """What one tile shows: whose picture, its label, a text instead of the picture."""

    key: str
    slot: FrameSlot | None
    text: str
    placeholder: str = ""


class MemberTile(QWidget):
    """A picture with its label underneath."""

    def __init__(self, object_name: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(LABEL_GAP)
        self.video = VideoView()
        self.label = label(object_name)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.label)
        self.key = ""

    def show_content(self, content: TileContent, style: VideoStyle) -> None:
        """Show ``content`` in ``style``."""
        self.video.style_ = style
        if content.key != self.key or self.video.slot is not content.slot:
            self.key = content.key
            self.video.set_slot(content.slot)
        self.video.set_placeholder(content.placeholder)
        self.label.setText(content.text)
        self.video.update()

    def label_height(self, width: int) -> int:
        """The label's height (and the gap above it) at tile width ``width``."""
        if not self.label.text():
            return 0
        return max(self.label.heightForWidth(width), self.label.sizeHint().height()) + LABEL_GAP


class MemberStage(QWidget):
    """The large tile and up to three small ones, placed by :func:`stage_layout`."""

    def __init__(self) -> None:
        super().__init__()
        self.main = MemberTile("member_main")
        self.main.setParent(self)
        self.small = [MemberTile("member") for _ in range(SMALL_TILES)]
        for tile in self.small:
            tile.setParent(self)
        self.layout_: StageLayout | None = None

    def show_tiles(
        self, main: TileContent, small: list[TileContent], main_style: VideoStyle,
        small_style: VideoStyle,
    ) -> None:
        """Fill the tiles (``small`` holds at most :data:`SMALL_TILES`)."""
        self.main.show_content(main, main_style)
        for i, tile in enumerate(self.small):
            if i < len(small):
                tile.show_content(small[i], small_style)
            tile.setVisible(i < len(small))
        self.place()

    def set_caption(self, text: str) -> None:
        """What every tile shows while its picture has not come yet."""
        for tile in (self.main, *self.small):
            tile.video.set_caption(text)

    def place(self) -> None:
        """Lay the tiles out for the current size and texts."""
        shown = [t for t in self.small if not t.isHidden()]

        def small_label(width: int) -> int:
            return max((t.label_height(width) for t in shown), default=0)

        self.layout_ = stage_layout(
            self.width(), self.height(), len(shown),
            main_label=self.main.label_height, small_label=small_label,
        )
        self.main.setGeometry(*self.layout_.main)
        for tile, rect in zip(shown, self.layout_.small, strict=True):
            tile.setGeometry(*rect)

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        super().resizeEvent(event)
        self.place()
