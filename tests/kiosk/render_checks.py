"""Checks on a rendered kiosk window: every text fits its box, no two texts overlap, and
every text reaches its contrast as drawn — measured from the pixels of the grabbed picture.

A "text" is a visible label, a button's caption, a line edit's placeholder, or a caption,
placeholder or label painted by a video view.  For each, the rectangle its characters need
(font metrics, word wrap, soft hyphens) is compared with the rectangle it has; the text's
colour and background are read from the pixels inside the drawn text's bounding box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PyQt6.QtCore import QPoint, QRect, QSize, Qt
from PyQt6.QtGui import QFontMetrics, QImage
from PyQt6.QtWidgets import (
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from client_qt.video_view import VideoView
from kiosk.ui.theme import contrast

MIN_CONTRAST = 4.5
"""Required of every text, large or not: stricter than WCAG's 3:1 for large text, because
the people at a kiosk include many with weak eyesight."""
SLACK_PX = 1


@dataclass
class Text:
    """One text on screen."""

    widget: QWidget
    text: str
    box: QRect
    """The rectangle the text has (window coordinates)."""
    need: QSize
    """The size its characters need in that box's width."""
    ink_box: QRect
    """Where the characters are drawn (window coordinates), for reading colours."""
    visible: QRect
    """The part of ``box`` actually on screen (scroll areas clip)."""


def _to_window(widget: QWidget, rect: QRect, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, rect.topLeft()), rect.size())


def _visible_part(widget: QWidget, rect: QRect, window: QWidget) -> QRect:
    """``rect`` (window coordinates) clipped by every scroll viewport above ``widget``."""
    out = QRect(rect)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and grand.viewport() is parent:
            out = out.intersected(_to_window(parent, parent.rect(), window))
        parent = grand
    return out.intersected(window.rect())


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _shown(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.isVisible()


def _wrap_size(metrics: QFontMetrics, width: int, text: str, wrap: bool) -> QSize:
    flags = int(Qt.TextFlag.TextWordWrap) if wrap else 0
    bound = metrics.boundingRect(QRect(0, 0, max(1, width), 100_000), flags, text)
    return bound.size()


def texts(window: QWidget, covering: QWidget | None = None) -> list[Text]:
    """Every text a citizen can see in ``window``; with ``covering`` (a modal overlay) only
    the texts on it."""
    root = covering or window
    out: list[Text] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not _shown(widget, window):
            continue
        if isinstance(widget, QLabel) and widget.text().strip():
            box = _to_window(widget, widget.contentsRect(), window)
            need = _wrap_size(widget.fontMetrics(), box.width(), widget.text(), widget.wordWrap())
            align = widget.alignment()
            ink = QStyle.alignedRect(Qt.LayoutDirection.LeftToRight, align, need, box)
            out.append(Text(widget, widget.text(), box, need, ink,
                            _visible_part(widget, box, window)))
        elif isinstance(widget, QPushButton) and widget.text().strip():
            option = QStyleOptionButton()
            widget.initStyleOption(option)
            style = widget.style()
            assert style is not None
            inner = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, widget)
            box = _to_window(widget, inner, window)
            metrics = widget.fontMetrics()
            need = QSize(metrics.horizontalAdvance(widget.text()), metrics.height())
            ink = QStyle.alignedRect(Qt.LayoutDirection.LeftToRight,
                                     Qt.AlignmentFlag.AlignCenter, need, box)
            out.append(Text(widget, widget.text(), box, need, ink,
                            _visible_part(widget, box, window)))
        elif isinstance(widget, QLineEdit) and not widget.text() and widget.placeholderText():
            box = _to_window(widget, widget.contentsRect().adjusted(14, 0, -14, 0), window)
            metrics = widget.fontMetrics()
            need = QSize(metrics.horizontalAdvance(widget.placeholderText()), metrics.height())
            ink = QStyle.alignedRect(Qt.LayoutDirection.LeftToRight,
                                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                     need, box)
            out.append(Text(widget, widget.placeholderText(), box, need, ink,
                            _visible_part(widget, box, window)))
        elif isinstance(widget, VideoView):
            out += _video_texts(widget, window)
    return out


def _video_texts(view: VideoView, window: QWidget) -> list[Text]:
    out = []
    text = view.placeholder or ("" if view.has_image() else view.caption)
    if text:
        box = _to_window(view, view.caption_rect(), window)
        need = _wrap_size(QFontMetrics(view.caption_font()), box.width(), text, True)
        ink = QStyle.alignedRect(Qt.LayoutDirection.LeftToRight, Qt.AlignmentFlag.AlignCenter,
                                 need, box)
        out.append(Text(view, text, box, need, ink, _visible_part(view, box, window)))
    if view.corner_label:
        box = _to_window(view, view.label_rect(), window)
        font = view.caption_font()
        font.setPixelSize(view.style_.label_px)
        font.setBold(True)
        metrics = QFontMetrics(font)
        need = QSize(metrics.horizontalAdvance(view.corner_label), metrics.height())
        ink = QStyle.alignedRect(Qt.LayoutDirection.LeftToRight, Qt.AlignmentFlag.AlignCenter,
                                 need, box)
        out.append(Text(view, view.corner_label, box, need, ink,
                        _visible_part(view, box, window)))
    return out


def _clipped_by_ancestors(t: Text, window: QWidget) -> bool:
    """Whether a non-scrolling ancestor cuts the text's box (a squeezed layout)."""
    if _in_scroll_area(t.widget):
        return False
    parent = t.widget.parentWidget()
    while parent is not None and parent is not window:
        if not _to_window(parent, parent.rect(), window).contains(t.box):
            return True
        parent = parent.parentWidget()
    return not window.rect().contains(t.box)


def fit_problems(items: list[Text], window: QWidget) -> list[str]:
    """Texts whose characters do not fit their box, or whose box is cut by the layout."""
    problems = []
    for t in items:
        if t.need.width() > t.box.width() + SLACK_PX or t.need.height() > t.box.height() + SLACK_PX:
            problems.append(
                f"{t.text[:40]!r} needs {t.need.width()}x{t.need.height()}, "
                f"has {t.box.width()}x{t.box.height()}"
            )
        elif _clipped_by_ancestors(t, window):
            problems.append(f"{t.text[:40]!r} is cut by its container")
    return problems


def _related(a: QWidget, b: QWidget) -> bool:
    return a is b or a.isAncestorOf(b) or b.isAncestorOf(a)


def overlap_problems(items: list[Text]) -> list[str]:
    """Pairs of texts whose drawn characters overlap on screen."""
    problems = []
    for i, a in enumerate(items):
        ra = a.ink_box.intersected(a.visible)
        if ra.isEmpty():
            continue
        for b in items[i + 1 :]:
            if _related(a.widget, b.widget):
                continue
            common = ra.intersected(b.ink_box.intersected(b.visible))
            if common.width() > SLACK_PX and common.height() > SLACK_PX:
                problems.append(f"{a.text[:30]!r} overlaps {b.text[:30]!r}")
    return problems


def pixels(window: QWidget) -> npt.NDArray[np.uint32]:
    """The window as drawn, one packed 0xRRGGBB integer per pixel."""
    image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    ptr = image.constBits()
    assert ptr is not None
    ptr.setsize(image.sizeInBytes())
    rows = np.frombuffer(ptr, dtype=np.uint32).reshape(image.height(), image.bytesPerLine() // 4)
    return rows[:, : image.width()] & 0xFFFFFF


def _hex(value: int) -> str:
    return f"#{value:06x}"


def measured_colours(image: npt.NDArray[np.uint32], box: QRect) -> tuple[str, str] | None:
    """``(text, background)`` read from the pixels in ``box``: the background is the most
    common colour, the text the most common of the others (a glyph's solid core; edge
    pixels blend and each shade is rare)."""
    top, left = max(0, box.top()), max(0, box.left())
    region = image[top : box.bottom() + 1, left : box.right() + 1]
    if region.size == 0:
        return None
    colours, counts = np.unique(region, return_counts=True)
    order = np.argsort(counts)[::-1][:12]
    ranked = [(int(colours[i]), int(counts[i])) for i in order]
    (background, _), *others = ranked
    if not others:
        return None
    ink = max(
        (colour for colour, n in others if n >= max(4, region.size // 500)),
        key=lambda colour: contrast(_hex(colour), _hex(background)),
        default=others[0][0],
    )
    return _hex(ink), _hex(background)


def contrast_problems(items: list[Text], image: npt.NDArray[np.uint32]) -> tuple[list[str], float]:
    """Texts under :data:`MIN_CONTRAST` as drawn; also the lowest ratio measured."""
    problems, lowest = [], 21.0
    for t in items:
        box = t.ink_box.intersected(t.visible)
        if box != t.ink_box:
            continue  # (partly) scrolled out of view: its colours are those of the others

        colours = measured_colours(image, box)
        if colours is None:
            problems.append(f"{t.text[:40]!r}: no text drawn")
            continue
        ratio = contrast(*colours)
        lowest = min(lowest, ratio)
        if ratio < MIN_CONTRAST:
            problems.append(f"{t.text[:40]!r}: {colours[0]} on {colours[1]} is {ratio:.2f}:1")
    return problems, lowest


def point(x: int, y: int) -> QPoint:
    """A point (for tests that probe pixels)."""
    return QPoint(x, y)
