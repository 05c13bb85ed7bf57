"""Colours, type sizes and the style sheet of the kiosk (WCAG AA contrast, big targets).

Every foreground/background pair the style sheet uses is listed in :data:`PAIRS`; a test
checks each against the WCAG 2.x contrast ratio of 4.5:1.
"""

from __future__ import annotations

from typing import Final

from client_qt.video_view import VideoStyle

INK: Final = "#1a1a1a"
PAPER: Final = "#ffffff"
SOFT: Final = "#f2f5f8"
BRAND: Final = "#0b4f8a"
BRAND_DARK: Final = "#083a66"
ON_BRAND: Final = "#ffffff"
DANGER: Final = "#a4001d"
MUTED_BG: Final = "#e4e7eb"
MUTED_INK: Final = "#454b52"
NOTICE_BG: Final = "#fff4ce"
NOTICE_INK: Final = "#3d2e00"
GOOD: Final = "#1b5e20"
FAIR: Final = "#6b4500"
POOR: Final = "#a4001d"
VIDEO_BG: Final = "#000000"
VIDEO_INK: Final = "#ffffff"

PAIRS: Final = {
    "body": (INK, PAPER),
    "body on soft": (INK, SOFT),
    "brand heading": (BRAND_DARK, PAPER),
    "primary button": (ON_BRAND, BRAND),
    "pressed button": (ON_BRAND, BRAND_DARK),
    "secondary button": (BRAND_DARK, PAPER),
    "danger button": (ON_BRAND, DANGER),
    "top bar": (ON_BRAND, BRAND_DARK),
    "disabled tile": (MUTED_INK, MUTED_BG),
    "notice": (NOTICE_INK, NOTICE_BG),
    "quality good": (GOOD, SOFT),
    "quality fair": (FAIR, SOFT),
    "quality poor": (POOR, SOFT),
    "video caption": (VIDEO_INK, VIDEO_BG),
    "chat mine": (INK, "#dcebf7"),
    "chat theirs": (INK, SOFT),
}

BASE_PX: Final = 28
LARGE_SCALE: Final = 1.35
MIN_TARGET_PX: Final = 48
BUTTON_HEIGHT_PX: Final = 96
TILE_HEIGHT_PX: Final = 190


def video_style(caption_scale: float) -> VideoStyle:
    """How a video view of the kiosk looks: black, white captions ``caption_scale`` × body."""
    return VideoStyle(
        background=VIDEO_BG,
        ink=VIDEO_INK,
        caption_px=round(BASE_PX * caption_scale),
        label_px=round(BASE_PX * 0.8),
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


def font_px(scale: float, step: float = 1.0) -> int:
    """A font size in pixels: ``step`` times the base size, times the text scale."""
    return round(BASE_PX * step * scale)


def stylesheet(large: bool) -> str:
    """The application style sheet, normal or large text."""
    s = LARGE_SCALE if large else 1.0
    return f"""
    QWidget {{ color: {INK}; background: {PAPER}; font-size: {font_px(s)}px; }}
    QWidget#topbar, QWidget#topbar QLabel {{ background: {BRAND_DARK}; color: {ON_BRAND}; }}
    QLabel#apptitle {{ font-size: {font_px(s, 1.2)}px; font-weight: bold; }}
    QLabel#offline {{ background: {NOTICE_BG}; color: {NOTICE_INK}; padding: 6px 14px;
        border-radius: 8px; font-size: {font_px(s, 0.85)}px; }}
    QLabel#h1 {{ font-size: {font_px(s, 1.75)}px; font-weight: bold; color: {BRAND_DARK}; }}
    QLabel#h2 {{ font-size: {font_px(s, 1.25)}px; font-weight: bold; }}
    QLabel#big {{ font-size: {font_px(s, 2.6)}px; font-weight: bold; color: {BRAND_DARK}; }}
    QLabel#notice {{ background: {NOTICE_BG}; color: {NOTICE_INK}; padding: 14px 18px;
        border-radius: 10px; }}
    QLabel#quality_good {{ color: {GOOD}; background: {SOFT}; padding: 8px 14px;
        border-radius: 8px; font-weight: bold; }}
    QLabel#quality_fair {{ color: {FAIR}; background: {SOFT}; padding: 8px 14px;
        border-radius: 8px; font-weight: bold; }}
    QLabel#quality_poor {{ color: {POOR}; background: {SOFT}; padding: 8px 14px;
        border-radius: 8px; font-weight: bold; }}
    QLabel#quality_unknown {{ color: {INK}; background: {SOFT}; padding: 8px 14px;
        border-radius: 8px; }}
    QLabel {{ background: transparent; }}
    QWidget#panel {{ background: {SOFT}; }}
    QPushButton {{ min-height: {BUTTON_HEIGHT_PX}px; min-width: 120px; padding: 8px 28px;
        border-radius: 14px; font-size: {font_px(s, 1.0)}px; font-weight: bold;
        background: {BRAND}; color: {ON_BRAND}; border: 3px solid {BRAND}; }}
    QPushButton:pressed {{ background: {BRAND_DARK}; border-color: {BRAND_DARK}; }}
    QPushButton:disabled {{ background: {MUTED_BG}; color: {MUTED_INK};
        border-color: {MUTED_BG}; }}
    QPushButton#secondary {{ background: {PAPER}; color: {BRAND_DARK};
        border: 3px solid {BRAND_DARK}; }}
    QPushButton#danger {{ background: {DANGER}; border-color: {DANGER}; color: {ON_BRAND}; }}
    QPushButton#lang {{ min-height: 64px; min-width: 150px; padding: 4px 18px;
        background: {BRAND_DARK}; color: {ON_BRAND}; border: 3px solid {ON_BRAND}; }}
    QPushButton#lang:checked {{ background: {ON_BRAND}; color: {BRAND_DARK}; }}
    QPushButton#bigtext {{ min-height: 64px; padding: 4px 18px; background: {BRAND_DARK};
        color: {ON_BRAND}; border: 3px solid {ON_BRAND}; }}
    QPushButton#welcome_lang {{ min-height: 150px; min-width: 460px;
        font-size: {font_px(s, 1.6)}px; }}
    QPushButton#tile {{ background: {PAPER}; border: 3px solid {BRAND}; text-align: left;
        padding: 0px; min-height: {round(TILE_HEIGHT_PX * s)}px; }}
    QPushButton#tile:disabled {{ background: {MUTED_BG}; border-color: {MUTED_BG}; }}
    QPushButton#tile QLabel {{ background: transparent; }}
    QPushButton#tile:disabled QLabel {{ color: {MUTED_INK}; }}
    QLabel#tile_agency {{ font-size: {font_px(s, 0.8)}px; color: {MUTED_INK}; }}
    QLabel#tile_name {{ font-size: {font_px(s, 1.15)}px; font-weight: bold; color: {INK}; }}
    QLabel#tile_status {{ font-size: {font_px(s, 0.85)}px; color: {BRAND_DARK}; }}
    QPushButton#rating {{ min-width: 120px; min-height: 120px; font-size: {font_px(s, 1.6)}px;
        background: {PAPER}; color: {BRAND_DARK}; border: 3px solid {BRAND_DARK}; }}
    QPushButton#rating:checked {{ background: {BRAND}; color: {ON_BRAND}; }}
    QPushButton#key {{ min-width: 64px; min-height: 62px; padding: 0px 6px;
        background: {PAPER}; color: {INK}; border: 2px solid {MUTED_INK}; border-radius: 10px; }}
    QPushButton#key:pressed {{ background: {MUTED_BG}; }}
    QLineEdit {{ min-height: 72px; padding: 0px 14px; border: 3px solid {BRAND_DARK};
        border-radius: 10px; background: {PAPER}; color: {INK}; }}
    QTextBrowser {{ border: none; background: {SOFT}; color: {INK}; }}
    QScrollArea {{ border: none; }}
    QScrollBar:vertical {{ width: 28px; background: {SOFT}; }}
    QScrollBar::handle:vertical {{ background: {MUTED_INK}; min-height: 60px;
        border-radius: 12px; }}
    """
