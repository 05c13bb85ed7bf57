"""When to show each remote frame: an adaptive playout delay, and a track that keeps to it.

aiortc hands every video frame on the moment it is decoded.  A frame that waited one round
trip for a retransmission then arrives 150-300 ms after its neighbours, and the picture stops
for that long, a freeze by the W3C rule, several times a second on a lossy rural link.  A
browser instead shows each frame at its capture time plus a playout delay that it grows to
cover the lateness it has seen (Chromium's jitter buffer: 15 ms on a clean link, 40-170 ms
with 3 % loss at 150 ms RTT).  :class:`PlayoutDelay` does the same:

* transit = arrival - RTP time (seconds); the *base* is the smallest transit of the last
  ``window_s``, i.e. the frames that came straight through;
* lateness = transit - base; the target delay is its ``quantile`` over the window plus
  ``margin_s`` minus ``tolerance_s``, within ``min_s``..``max_s``.  The tolerance is how late
  a frame may be shown without the picture visibly stopping: a gap under 150 ms more than
  the usual frame interval is not a freeze (the W3C rule), so 60 ms of it need not be paid
  for with delay on every frame.  The first ``warmup_s`` of a stream (encoder and
  bandwidth estimate starting, the first keyframe) set the base but not the target;
* the delay rises to the target at once (the late frame already stopped the picture; holding
  the next ones as long keeps it moving) and falls back slowly (``decay_s_per_s``), so one
  quiet second does not undo it;
* frames that were completed by a retransmission (:meth:`PlayoutDelay.observe` with
  ``recovered=True``) are late by one NACK round trip.  Taken with the rest they are a few
  per cent of the frames, right at the quantile's edge, and the delay stayed near zero on a
  3 % loss, 150 ms RTT link (measured: every such frame a 190-260 ms gap, a freeze).  Once
  ``recovery_min`` of them arrived within ``recovery_window_s`` (one: waiting for a second
  cost a second freeze, measured), their ``recovery_quantile`` less
  ``recovery_tolerance_s`` is a floor of the target, as Chromium's jitter buffer adds the
  round trip to its delay once it has seen frames NACKed.  Where the round trip is short
  (a cell link's 40 ms) the floor stays at zero: nothing to pay for.  The tolerance is wider than
  for jitter: a frame shown ``lateness - delay`` late opens a gap that long plus one frame
  interval, and the W3C rule calls a gap a freeze only from 150 ms over the average interval.

:class:`VideoPlayoutTrack` releases decoded frames at ``base + RTP time + delay``.  When
several frames are overdue at once (after a stall), only the newest is shown: the others
would flash past faster than a screen shows them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass
from typing import Final

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame

_MAX_QUEUED: Final = 120


@dataclass(frozen=True)
class DelayConfig:
    """Tuning of :class:`PlayoutDelay` (defaults: the measured choice for video)."""

    window_s: float = 10.0
    quantile: float = 97.0
    margin_s: float = 0.012
    tolerance_s: float = 0.06
    min_s: float = 0.0
    max_s: float = 0.6
    decay_s_per_s: float = 0.05
    warmup_s: float = 2.0
    recovery_window_s: float = 15.0
    recovery_min: int = 1
    recovery_quantile: float = 75.0
    recovery_tolerance_s: float = 0.11


class PlayoutDelay:
    """The adaptive delay (see the module docstring); times in seconds, sans-I/O."""

    def __init__(self, config: DelayConfig | None = None, clock_rate: int = 90000) -> None:
        self.cfg = config or DelayConfig()
        self.clock_rate = clock_rate
        self.delay_s = self.cfg.min_s
        self._transits: deque[tuple[float, float]] = deque()  # (arrival, transit), increasing
        self._lateness: deque[tuple[float, float]] = deque()
        self._recovered: deque[tuple[float, float]] = deque()
        self._base: float | None = None
        self._ext_ts: int | None = None
        self._last_update: float | None = None
        self._first_arrival: float | None = None
        self._since_update = 0

    def media_time(self, timestamp: int) -> float:
        """A 32-bit RTP timestamp as unwrapped seconds of media time."""
        if self._ext_ts is None:
            self._ext_ts = timestamp
        else:
            delta = (timestamp - self._ext_ts) & 0xFFFFFFFF
            self._ext_ts += delta if delta < 0x80000000 else delta - 0x100000000
        return self._ext_ts / self.clock_rate

    def observe(
        self, media_s: float, arrival: float, *, lateness: bool = True, recovered: bool = False,
    ) -> None:
        """A frame (or packet) of media time ``media_s`` arrived at ``arrival``.

        ``lateness=False``: it sets the base but not the delay (a keyframe is late by its
        size, not by the network's jitter; Chromium's estimator discounts it as well).
        ``recovered``: a retransmission completed it (see the module docstring).
        """
        transit = arrival - media_s
        cutoff = arrival - self.cfg.window_s
        if self._first_arrival is None:
            self._first_arrival = arrival
        # A monotone deque: the front is always the window's minimum transit.
        while self._transits and self._transits[-1][1] >= transit:
            self._transits.pop()
        self._transits.append((arrival, transit))
        while self._transits[0][0] < cutoff:
            self._transits.popleft()
        self._base = self._transits[0][1]
        if not lateness:
            return
        late = transit - self._base
        if recovered:
            self._recovered.append((arrival, late))
        while self._recovered and self._recovered[0][0] < arrival - self.cfg.recovery_window_s:
            self._recovered.popleft()
        if arrival - self._first_arrival < self.cfg.warmup_s:
            # A retransmission's wait is the round trip's, from the first second on: the
            # floor it sets is in place before the first seconds' jitter is trusted.
            if recovered:
                self.delay_s = max(self.delay_s, min(self.cfg.max_s, self.recovery_floor()))
            return
        self._lateness.append((arrival, late))
        while self._lateness[0][0] < cutoff:
            self._lateness.popleft()
        # The quantile over the window costs ~0.1 ms: every 8th arrival, or at once when
        # this one is later than the delay covers.
        self._since_update += 1
        covered = self.delay_s + self.cfg.tolerance_s - self.cfg.margin_s
        if self._since_update >= 8 or late > covered or recovered:
            self._since_update = 0
            self._update(arrival)

    def _update(self, now: float) -> None:
        lateness = np.fromiter((x for _, x in self._lateness), dtype=np.float64)
        target = (
            float(np.percentile(lateness, self.cfg.quantile))
            + self.cfg.margin_s - self.cfg.tolerance_s
        )
        target = max(target, self.recovery_floor())
        target = min(self.cfg.max_s, max(self.cfg.min_s, target))
        dt = now - self._last_update if self._last_update is not None else 0.0
        self._last_update = now
        if target >= self.delay_s:
            self.delay_s = target
        else:
            self.delay_s = max(target, self.delay_s - self.cfg.decay_s_per_s * dt)

    def recovery_floor(self) -> float:
        """The delay that frames completed by retransmissions in the window ask for (0 when
        fewer than ``recovery_min`` of them came: the link is not losing packets)."""
        if len(self._recovered) < self.cfg.recovery_min:
            return 0.0
        late = np.fromiter((x for _, x in self._recovered), dtype=np.float64)
        return float(
            np.percentile(late, self.cfg.recovery_quantile)
            + self.cfg.margin_s - self.cfg.recovery_tolerance_s
        )

    def due(self, media_s: float) -> float:
        """When media time ``media_s`` should be played (same clock as the arrivals)."""
        base = self._base if self._base is not None else 0.0
        return media_s + base + self.delay_s


class VideoPlayoutTrack(MediaStreamTrack):
    """Decoded frames in, the same frames out at their playout time (see the module doc)."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._queue: deque[tuple[float, VideoFrame]] = deque()
        self._arrived = asyncio.Event()
        self.frames_out = 0
        self.frames_skipped = 0

    def put(self, frame: VideoFrame, due: float) -> None:
        """Queue ``frame`` to be shown at monotonic time ``due``."""
        if len(self._queue) >= _MAX_QUEUED:
            self._queue.popleft()
            self.frames_skipped += 1
        self._queue.append((due, frame))
        self._arrived.set()

    def end(self) -> None:
        """No more frames: :meth:`recv` raises once the queue is empty."""
        self.stop()
        self._arrived.set()

    async def recv(self) -> VideoFrame:
        while True:
            if not self._queue:
                if self.readyState != "live":
                    raise MediaStreamError
                self._arrived.clear()
                await self._arrived.wait()
                continue
            due, frame = self._queue[0]
            wait = due - time.monotonic()
            if wait > 0:
                self._arrived.clear()
                # Wake early if a frame with an earlier due time (a shorter delay) arrives.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), wait)
                continue
            self._queue.popleft()
            now = time.monotonic()
            if self._queue and self._queue[0][0] <= now:
                self.frames_skipped += 1  # a newer frame is due too: show that one
                continue
            self.frames_out += 1
            return frame
