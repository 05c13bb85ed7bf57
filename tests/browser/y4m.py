"""A tiny fake-camera file for Chromium: moving bars as uncompressed YUV4MPEG2 (I420)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_y4m(
    path: Path, *, width: int = 640, height: int = 480, fps: int = 30, frames: int = 30
) -> Path:
    """Write ``frames`` frames of vertical bars scrolling right, with a block that steps down.

    Chromium loops the file at the rate in its header (``F30:1``), so one second is enough:
    640x480 I420 is 450 KiB a frame, 13.5 MiB for the default 30 frames.
    """
    if width % 2 or height % 2:
        raise ValueError("I420 needs even dimensions")
    x = np.arange(width, dtype=np.int32)
    cw, ch = width // 2, height // 2
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for i in range(frames):
            bars = np.where(((x + 8 * i) // 40) % 2 == 0, 200, 60).astype(np.uint8)
            luma = np.broadcast_to(bars, (height, width)).copy()
            top = (i * height // frames) % (height - 64)
            luma[top : top + 64, 32:96] = 255  # a white block that steps down each frame
            u = np.full((ch, cw), 128 + (i * 4) % 64 - 32, dtype=np.uint8)
            v = np.full((ch, cw), 128 - (i * 4) % 64 + 32, dtype=np.uint8)
            out.write(b"FRAME\n")
            out.write(luma.tobytes())
            out.write(u.tobytes())
            out.write(v.tobytes())
    return path
