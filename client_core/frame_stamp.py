"""Embed a frame counter and a capture timestamp in the picture itself.

RTP timestamps do not survive the trip through an encoder, a decoder and a
jitter buffer in a way that lets the receiver tie a decoded frame back to
the moment it was captured, so the sender paints the numbers into the top
of the frame and the receiver reads them back.  That gives end-to-end
latency (capture -> decoded), lost frames (counter gaps) and reordering,
measured the same way for every peer, whatever the transport in between.

Layout
------
A strip of ``STAMP_ROWS`` x ``STAMP_COLUMNS`` square blocks along the top
edge; each block is one bit, black (0) or white (1).  The block side is
``width // STAMP_COLUMNS`` pixels: 16 px at 640 wide, so every block is one
VP8/H.264 macroblock, aligned to the macroblock grid.  A flat macroblock is
the cheapest thing an encoder can code and survives heavy quantisation,
which is why the stamp reads back through VP8 and H.264 even at low
bitrates.  The strip costs ``3 * width // 40`` rows (48 px at 640x480).

The 120 bits are, in row-major order::

    marker (8) | counter (32) | capture time in µs (64) | CRC-16 (16)

The marker (0xA5: four white, four black blocks) calibrates the black and
white levels, so a darker camera picture or a limited-range YUV conversion
still reads; the CRC-16/CCITT over counter and timestamp rejects corrupted
reads (all 1-3 bit errors and every burst up to 16 bits), so a caller never
sees a wrong number, only ``None``.

The timestamp is wall-clock microseconds (``time.time_ns() // 1000``):
latency between two hosts is only as good as their clock sync (NTP keeps
that within a few ms on a LAN).
"""

from __future__ import annotations

import binascii
import struct
import time
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

STAMP_COLUMNS: Final = 40
STAMP_ROWS: Final = 3
MARKER: Final = 0xA5
_MIN_BLOCK: Final = 4
# Below this difference between the marker's white and black blocks the
# strip is not a stamp (or is washed out beyond trust).
_MIN_CONTRAST: Final = 48.0
_PAYLOAD = struct.Struct(">IQ")
_BITS = STAMP_ROWS * STAMP_COLUMNS
_USED_BITS = 8 + 32 + 64 + 16
assert _USED_BITS <= _BITS

# Luma levels used on 2-D (Y plane) arrays: video range, so a later
# limited-range conversion does not clip them.
_Y_BLACK: Final = 16
_Y_WHITE: Final = 235

_MARKER_BITS = np.array([(MARKER >> (7 - i)) & 1 for i in range(8)], dtype=np.uint8)

U8Array = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Stamp:
    """A frame counter and a capture time (wall clock, µs) read from a frame."""

    counter: int
    ts_us: int


def now_us() -> int:
    """Wall-clock time in microseconds, the unit stamps carry."""
    return time.time_ns() // 1000


def block_size(width: int) -> int:
    """Side in pixels of one stamp block for a frame ``width`` pixels wide."""
    return width // STAMP_COLUMNS


def stamp_height(width: int) -> int:
    """Rows at the top of the frame covered by the stamp (for cropping in a UI)."""
    return block_size(width) * STAMP_ROWS


def _bits_for(counter: int, ts_us: int) -> U8Array:
    payload = _PAYLOAD.pack(counter & 0xFFFFFFFF, ts_us & 0xFFFFFFFFFFFFFFFF)
    crc = binascii.crc_hqx(payload, 0xFFFF)
    raw = np.frombuffer(payload + crc.to_bytes(2, "big"), dtype=np.uint8)
    bits = np.zeros(_BITS, dtype=np.uint8)
    bits[:8] = _MARKER_BITS
    bits[8:_USED_BITS] = np.unpackbits(raw)
    return bits


def stamp(array: U8Array, counter: int, ts_us: int) -> None:
    """Paint ``counter`` and ``ts_us`` into the top strip of ``array``, in place.

    ``array`` is either BGR/RGB ``(H, W, 3)`` or a 2-D luma array ``(H, W)``;
    the top rows of a packed I420 array ``(H * 3 // 2, W)`` are its Y plane,
    so that works too.  Raises ``ValueError`` when the frame is too small.
    """
    height, width = array.shape[0], array.shape[1]
    b = block_size(width)
    if b < _MIN_BLOCK or b * STAMP_ROWS > height:
        raise ValueError(f"frame {width}x{height} is too small for a stamp")
    bits = _bits_for(counter, ts_us).reshape(STAMP_ROWS, STAMP_COLUMNS)
    blocks = np.repeat(np.repeat(bits, b, axis=0), b, axis=1).astype(bool)
    region = array[: b * STAMP_ROWS, : b * STAMP_COLUMNS]
    if array.ndim == 3:
        region[...] = np.where(blocks, np.uint8(255), np.uint8(0))[:, :, None]
    else:
        region[...] = np.where(blocks, np.uint8(_Y_WHITE), np.uint8(_Y_BLACK))


def _block_means(array: U8Array) -> npt.NDArray[np.float64] | None:
    height, width = array.shape[0], array.shape[1]
    b = block_size(width)
    if b < _MIN_BLOCK or b * STAMP_ROWS > height:
        return None
    region = array[: b * STAMP_ROWS, : b * STAMP_COLUMNS]
    # Only the middle half of each block: the edges are where ringing and
    # deblocking from the neighbours bleed in.
    lo, hi = b // 4, b - b // 4
    if region.ndim == 3:
        grid = region.reshape(STAMP_ROWS, b, STAMP_COLUMNS, b, region.shape[2])
        inner = grid[:, lo:hi, :, lo:hi, :]
        means = inner.mean(axis=(1, 3, 4))
    else:
        grid = region.reshape(STAMP_ROWS, b, STAMP_COLUMNS, b)
        means = grid[:, lo:hi, :, lo:hi].mean(axis=(1, 3))
    flat: npt.NDArray[np.float64] = np.asarray(means, dtype=np.float64).reshape(-1)
    return flat


def read_stamp(array: U8Array) -> Stamp | None:
    """Read back a stamp from ``array`` (same shapes as :func:`stamp`).

    Returns ``None`` when there is no stamp, or it is too damaged to trust.
    """
    means = _block_means(array)
    if means is None:
        return None
    marker = means[:8]
    white = float(marker[_MARKER_BITS == 1].mean())
    black = float(marker[_MARKER_BITS == 0].mean())
    if white - black < _MIN_CONTRAST:
        return None
    bits = (means[:_USED_BITS] > (white + black) / 2).astype(np.uint8)
    if not np.array_equal(bits[:8], _MARKER_BITS):
        return None
    raw = np.packbits(bits[8:_USED_BITS]).tobytes()
    payload, crc = raw[: _PAYLOAD.size], int.from_bytes(raw[_PAYLOAD.size :], "big")
    if binascii.crc_hqx(payload, 0xFFFF) != crc:
        return None
    counter, ts_us = _PAYLOAD.unpack(payload)
    return Stamp(counter=counter, ts_us=ts_us)
