"""Colours, type sizes and the style sheet of the kiosk: a normal and a high-contrast theme.

Every text must reach 4.5:1 against its background *as drawn*; the screen test measures
that from the rendered pixels of every screen (``tests/kiosk/test_render_matrix.py``).
Disabled controls look different in shape, not only colour: a dashed border.

Style rules match one widget by object name and, where a widget has states, by a dynamic
property on the widget itself (``QLabel#tile_name[state="closed"]``): Qt ignores a
pseudo-state on an *ancestor* of a selector, so ``QPushButton#tile:disabled QLabel`` used to
match the labels of every tile, open ones too, and painted them all grey.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from client_qt.video_view import VideoStyle

BASE_PX: Final = 28
LARGE_SCALE: Final = 1.6
MIN_TARGET_PX: Final = 48
BUTTON_HEIGHT_PX: Final = 96
TILE_HEIGHT_PX: Final = 190


@dataclass(frozen=True)
class Palette:
    """A theme's colours (``#rrggbb``)."""

    name: str
    ink: str
    paper: str
    soft: str
    heading: str
    primary_bg: str
    primary_ink: str
    pressed_bg: str
    secondary_bg: str
    secondary_ink: str
    danger_bg: str
    danger_ink: str
    bar_bg: str
    bar_ink: str
    bar_edge: str
    disabled_bg: str
    disabled_ink: str
    disabled_edge: str
    notice_bg: str
    notice_ink: str
    notice_edge: str
    option_bg: str
    option_ink: str
    option_edge: str
    subtle_ink: str
    good: str
    fair: str
    poor: str
    chat_mine: str
    chat_theirs: str
    meter: str
    meter_bg: str
    video_bg: str = "#000000"
    video_ink: str = "#ffffff"


NORMAL: Final = Palette(
    name="normal",
    ink="#1a1a1a",
    paper="#ffffff",
    soft="#f2f5f8",
    heading="#083a66",
    primary_bg="#0b4f8a",
    primary_ink="#ffffff",
    pressed_bg="#083a66",
    secondary_bg="#ffffff",
    secondary_ink="#083a66",
    danger_bg="#a4001d",
    danger_ink="#ffffff",
    bar_bg="#083a66",
    bar_ink="#ffffff",
    bar_edge="#ffffff",
    disabled_bg="#eceef1",
    disabled_ink="#3d434a",
    disabled_edge="#5f666d",
    notice_bg="#fff4ce",
    notice_ink="#3d2e00",
    notice_edge="#8a6d00",
    option_bg="#fff4ce",
    option_ink="#1a1a1a",
    option_edge="#8a6d00",
    subtle_ink="#3d434a",
    good="#1b5e20",
    fair="#6b4500",
    poor="#a4001d",
    chat_mine="#dcebf7",
    chat_theirs="#f2f5f8",
    meter="#1b5e20",
    meter_bg="#d5dbe1",
)

HIGH_CONTRAST: Final = Palette(
    name="high_contrast",
    ink="#ffffff",
    paper="#000000",
    soft="#000000",
    heading="#ffeb3b",
    primary_bg="#ffeb3b",
    primary_ink="#000000",
    pressed_bg="#ffffff",
    secondary_bg="#000000",
    secondary_ink="#ffeb3b",
    danger_bg="#ff8a80",
    danger_ink="#000000",
    bar_bg="#000000",
    bar_ink="#ffffff",
    bar_edge="#ffffff",
    disabled_bg="#000000",
    disabled_ink="#c8c8c8",
    disabled_edge="#c8c8c8",
    notice_bg="#000000",
    notice_ink="#ffffff",
    notice_edge="#ffffff",
    option_bg="#000000",
    option_ink="#ffffff",
    option_edge="#00e5ff",
    subtle_ink="#e0e0e0",
    good="#7cfc00",
    fair="#ffd54f",
    poor="#ff8a80",
    chat_mine="#1f2a38",
    chat_theirs="#000000",
    meter="#7cfc00",
    meter_bg="#404040",
)

PALETTES: Final = (NORMAL, HIGH_CONTRAST)


def palette(high_contrast: bool) -> Palette:
    """The palette of the citizen's choice."""
    return HIGH_CONTRAST if high_contrast else NORMAL


def pairs(c: Palette) -> dict[str, tuple[str, str]]:
    """Every (text, background) pair the style sheet paints with ``c``."""
    return {
        "body": (c.ink, c.paper),
        "body on soft": (c.ink, c.soft),
        "heading": (c.heading, c.paper),
        "subtle": (c.subtle_ink, c.paper),
        "primary button": (c.primary_ink, c.primary_bg),
        "pressed button": (c.primary_ink, c.pressed_bg),
        "secondary button": (c.secondary_ink, c.secondary_bg),
        "danger button": (c.danger_ink, c.danger_bg),
        "bar": (c.bar_ink, c.bar_bg),
        "disabled": (c.disabled_ink, c.disabled_bg),
        "notice": (c.notice_ink, c.notice_bg),
        "option tile": (c.option_ink, c.option_bg),
        "quality good": (c.good, c.soft),
        "quality fair": (c.fair, c.soft),
        "quality poor": (c.poor, c.soft),
        "video caption": (c.video_ink, c.video_bg),
        "chat mine": (c.ink, c.chat_mine),
        "chat theirs": (c.ink, c.chat_theirs),
    }


def video_style(
    caption_scale: float,
    *,
    text_scale: float = 1.0,
    label_below: bool = False,
    framed: bool = False,
) -> VideoStyle:
    """How a video view of the kiosk looks: black, white captions ``caption_scale`` × body,
    everything ``text_scale`` larger with large text; ``framed`` in white where it lies on
    black (the high-contrast page, the self view over the clerk's picture)."""
    return VideoStyle(
        background=NORMAL.video_bg,
        ink=NORMAL.video_ink,
        caption_px=round(BASE_PX * caption_scale * text_scale),
        label_px=round(BASE_PX * 0.8 * text_scale),
        label_below=label_below,
        border=NORMAL.video_ink if framed else None,
    )


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_scale(large: bool) -> float:
    """How much larger than normal the text is."""
    return LARGE_SCALE if large else 1.0


def font_px(scale: float, step: float = 1.0) -> int:
    """A font size in pixels: ``step`` times the base size, times the text scale."""
    return round(BASE_PX * step * scale)


def stylesheet(large: bool, high_contrast: bool = False) -> str:
    """The application style sheet for a text size and theme."""
    s = text_scale(large)
    c = palette(high_contrast)
    edge = 4 if high_contrast else 3
    return f"""
    QWidget {{ color: {c.ink}; background: {c.paper}; font-size: {font_px(s)}px; }}
    QWidget#topbar, QWidget#topbar QLabel {{ background: {c.bar_bg}; color: {c.bar_ink}; }}
    QWidget#bottombar {{ background: {c.bar_bg}; border-top: 3px solid {c.bar_edge}; }}
    QWidget#bottombar_group {{ background: {c.bar_bg}; }}
    QLabel#apptitle {{ font-size: {font_px(s, 1.1)}px; font-weight: bold; }}
    QLabel#offline {{ background: {c.notice_bg}; color: {c.notice_ink}; padding: 4px 14px;
        border: 2px solid {c.notice_edge}; border-radius: 8px; font-size: {font_px(s, 0.85)}px; }}
    QLabel#loop {{ font-size: {font_px(s, 0.85)}px; }}
    QLabel#bar_label {{ background: {c.bar_bg}; color: {c.bar_ink}; font-weight: bold;
        font-size: {font_px(s, 1.0 if s == 1 else 0.85)}px; }}
    QLabel#h1 {{ font-size: {font_px(s, 1.6)}px; font-weight: bold; color: {c.heading}; }}
    QLabel#h2 {{ font-size: {font_px(s, 1.2)}px; font-weight: bold; }}
    QLabel#purpose {{ font-size: {font_px(s, 1.2 if s == 1 else 1.0)}px; font-weight: bold; }}
    QLabel#big {{ font-size: {font_px(s, 2.3 if s == 1 else 1.9)}px; font-weight: bold;
        color: {c.heading}; }}
    QLabel#subtle {{ color: {c.subtle_ink}; }}
    QLabel#notice {{ background: {c.notice_bg}; color: {c.notice_ink}; padding: 12px 18px;
        border: 2px solid {c.notice_edge}; border-radius: 10px; }}
    QLabel#banner {{ background: {c.notice_bg}; color: {c.notice_ink}; padding: 10px 22px;
        border: 4px solid {c.notice_edge}; border-radius: 12px; font-weight: bold;
        font-size: {font_px(s, 1.1 if s == 1 else 0.9)}px; }}
    QLabel#member_main, QLabel#member {{ font-weight: bold; }}
    QLabel#member {{ font-size: {font_px(s, 0.9 if s == 1 else 0.7)}px; }}
    QLabel#sign_help {{ background: {c.notice_bg}; color: {c.notice_ink}; padding: 16px 24px;
        border: 3px solid {c.notice_edge}; border-radius: 12px; font-weight: bold;
        font-size: {font_px(s, 1.3 if s == 1 else 1.1)}px; }}
    QLabel#quality_good, QLabel#quality_fair, QLabel#quality_poor, QLabel#quality_unknown {{
        background: {c.soft}; padding: 6px 14px; border-radius: 8px; font-weight: bold; }}
    QLabel#quality_good {{ color: {c.good}; }}
    QLabel#quality_fair {{ color: {c.fair}; }}
    QLabel#quality_poor {{ color: {c.poor}; }}
    QLabel#quality_unknown {{ color: {c.ink}; font-weight: normal; }}
    QLabel {{ background: transparent; }}
    QWidget#panel {{ background: {c.soft}; }}
    QWidget#panel QLabel {{ background: transparent; }}
    QWidget#card {{ background: {c.paper}; border: 4px solid {c.heading}; border-radius: 18px; }}
    QPushButton {{ min-height: {BUTTON_HEIGHT_PX}px; min-width: 120px; padding: 8px 28px;
        border-radius: 14px; font-size: {font_px(s, 1.0)}px; font-weight: bold;
        background: {c.primary_bg}; color: {c.primary_ink};
        border: {edge}px solid {c.primary_bg}; }}
    QPushButton:pressed {{ background: {c.pressed_bg}; border-color: {c.pressed_bg}; }}
    QPushButton#secondary, QPushButton#wrap {{ background: {c.secondary_bg};
        color: {c.secondary_ink}; border: {edge}px solid {c.secondary_ink}; }}
    QPushButton#danger {{ background: {c.danger_bg}; border-color: {c.danger_bg};
        color: {c.danger_ink}; }}
    QPushButton#more {{ min-height: 64px; padding: 2px 20px; background: {c.secondary_bg};
        color: {c.secondary_ink}; border: {edge}px solid {c.secondary_ink}; }}
    QPushButton#secondary:checked {{ background: {c.primary_bg}; color: {c.primary_ink};
        border-color: {c.primary_bg}; }}
    QPushButton#bar {{ min-height: 72px; min-width: 72px; padding: 2px 16px;
        font-size: {font_px(s, 1.0 if s == 1 else 0.85)}px;
        background: {c.bar_bg}; color: {c.bar_ink}; border: 3px solid {c.bar_edge}; }}
    QPushButton#bar:checked {{ background: {c.bar_ink}; color: {c.bar_bg}; }}
    QPushButton#appointment {{ min-height: 72px; padding: 4px 10px;
        font-size: {font_px(s, 1.0 if s == 1 else 0.85)}px;
        background: {c.secondary_bg}; color: {c.secondary_ink};
        border: {edge}px solid {c.secondary_ink}; }}
    QPushButton#welcome_lang {{ min-height: {140 if s == 1 else 120}px; min-width: 360px;
        font-size: {font_px(s, 1.5 if s == 1 else 1.25)}px; }}
    QPushButton#tile {{ background: {c.paper}; border: {edge}px solid {c.primary_bg};
        text-align: left; padding: 0px; min-height: {TILE_HEIGHT_PX if s == 1 else 220}px; }}
    QPushButton#tile[state="other_language"] {{ background: {c.option_bg};
        border: {edge}px solid {c.option_edge}; }}
    QPushButton#tile[state="closed"] {{ background: {c.disabled_bg};
        border: {edge}px dashed {c.disabled_edge}; }}
    QPushButton#tile QLabel, QPushButton#wrap QLabel {{ background: transparent; }}
    QLabel#tile_agency {{ font-size: {font_px(s, 0.8)}px; color: {c.subtle_ink}; }}
    QLabel#tile_name {{ font-size: {font_px(s, 1.1)}px; font-weight: bold; color: {c.ink}; }}
    QLabel#tile_status {{ font-size: {font_px(s, 0.85)}px; color: {c.heading};
        font-weight: bold; }}
    QLabel#tile_name[state="other_language"], QLabel#tile_agency[state="other_language"] {{
        color: {c.option_ink}; }}
    QLabel#tile_status[state="other_language"] {{ color: {c.notice_ink}; }}
    QLabel#tile_name[state="closed"], QLabel#tile_agency[state="closed"],
    QLabel#tile_status[state="closed"] {{ color: {c.disabled_ink}; }}
    QLabel#wrap_text {{ color: {c.secondary_ink}; font-weight: bold; }}
    QPushButton#choice {{ background: {c.primary_bg}; border: {edge}px solid {c.primary_bg};
        text-align: left; padding: 0px; border-radius: 18px;
        min-height: {150 if s == 1 else 0}px; }}
    QPushButton#choice:pressed {{ background: {c.pressed_bg}; border-color: {c.pressed_bg}; }}
    QPushButton#choice QLabel {{ background: transparent; color: {c.primary_ink}; }}
    QLabel#choice_title {{ font-size: {font_px(s, 1.5 if s == 1 else 1.2)}px;
        font-weight: bold; }}
    QLabel#choice_hint {{ font-size: {font_px(s, 1.0 if s == 1 else 0.85)}px; }}
    QPushButton#rating {{ min-width: 120px; min-height: 120px; font-size: {font_px(s, 1.6)}px;
        background: {c.secondary_bg}; color: {c.secondary_ink};
        border: {edge}px solid {c.secondary_ink}; }}
    QPushButton#rating:checked {{ background: {c.primary_bg}; color: {c.primary_ink};
        border-color: {c.primary_bg}; }}
    QPushButton#key, QPushButton#key_fn, QPushButton#key_send {{ min-width: 44px;
        min-height: 62px; padding: 0px 4px; border-radius: 10px; }}
    QPushButton#key {{ background: {c.paper}; color: {c.ink}; border: 2px solid {c.subtle_ink}; }}
    QPushButton#key_fn {{ background: {c.secondary_bg}; color: {c.secondary_ink};
        border: {edge}px solid {c.secondary_ink}; }}
    QPushButton#key:pressed, QPushButton#key_fn:pressed {{ background: {c.soft}; }}
    QPushButton#code_key {{ min-width: 96px; min-height: 96px;
        font-size: {font_px(s, 1.5 if s == 1 else 1.2)}px; border-radius: 12px;
        background: {c.paper}; color: {c.ink}; border: 3px solid {c.ink}; }}
    QPushButton#code_key:pressed {{ background: {c.soft}; }}
    QLabel#code {{ font-size: {font_px(s, 2.6 if s == 1 else 2.0)}px; font-weight: bold;
        font-family: "DejaVu Sans Mono", monospace; color: {c.ink}; background: {c.paper};
        border: 4px solid {c.heading}; border-radius: 14px; padding: 8px 20px; }}
    QLabel#qr {{ background: #ffffff; border: 4px solid {c.heading}; padding: 16px; }}
    QPushButton#keypad {{ min-width: 110px; min-height: {76 if s == 1 else 64}px;
        font-size: {font_px(s, 1.5 if s == 1 else 1.0)}px; background: {c.paper}; color: {c.ink};
        border: {edge}px solid {c.heading}; border-radius: 14px; padding: 0px 8px; }}
    QPushButton#keypad:pressed {{ background: {c.soft}; }}
    QLabel#phone {{ font-size: {font_px(s, 1.7 if s == 1 else 1.2)}px; font-weight: bold;
        background: {c.paper}; color: {c.ink}; border: {edge}px solid {c.heading};
        border-radius: 12px; padding: 10px 18px; }}
    QLabel#phone_empty {{ font-size: {font_px(s, 1.0 if s == 1 else 0.85)}px; color: {c.ink};
        background: {c.paper}; border: {edge}px dashed {c.heading}; border-radius: 12px;
        padding: 18px 18px; }}
    QPushButton:disabled, QPushButton#secondary:disabled, QPushButton#rating:disabled {{
        background: {c.disabled_bg}; color: {c.disabled_ink};
        border: {edge}px dashed {c.disabled_edge}; }}
    QLineEdit {{ min-height: 72px; padding: 0px 14px; border: 3px solid {c.heading};
        border-radius: 10px; background: {c.paper}; color: {c.ink};
        placeholder-text-color: {c.subtle_ink}; }}
    QTextBrowser {{ border: none; background: {c.soft}; color: {c.ink}; }}
    QScrollArea {{ border: none; }}
    QScrollBar:vertical {{ width: 48px; background: {c.soft}; }}
    QScrollBar::handle:vertical {{ background: {c.subtle_ink}; min-height: 60px;
        border-radius: 12px; }}
    """
