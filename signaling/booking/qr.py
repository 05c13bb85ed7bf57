"""The QR code of a booking, as inline SVG for the confirmation page.

segno (pure Python, no dependencies, maintained, writes SVG directly) makes the symbol; the
kiosk reads it back with OpenCV's QR detector. Error correction M: survives a crease or a
smudge on a printout while staying small enough to read from a phone screen.
"""

from __future__ import annotations

import io

import segno

__all__ = ["qr_svg"]


def qr_svg(payload: str, *, scale: int = 6, title: str = "") -> str:
    """An ``<svg>`` element (no XML declaration) drawing ``payload`` as a QR code."""
    out = io.BytesIO()
    segno.make_qr(payload, error="m").save(
        out,
        kind="svg",
        scale=scale,
        border=4,
        xmldecl=False,
        svgns=True,
        title=title or None,
        dark="#000",
        light="#fff",
        nl=False,
    )
    return out.getvalue().decode("utf-8")
