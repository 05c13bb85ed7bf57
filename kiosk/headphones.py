"""Whether headphones are plugged into the kiosk's jack (they turn spoken guidance on).

Linux reports a headphone jack as an input device with the switch ``SW_HEADPHONE_INSERT``
(e.g. "HDA Intel PCH Headphone"); :func:`read_jack` asks each ``/dev/input/event*`` device
for its switch state with the ``EVIOCGSW`` ioctl.  The kiosk user needs read access to those
devices (the ``input`` group).  No jack found reads as None: unknown, nothing changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Final

log = logging.getLogger("etapiste.kiosk.headphones")

EV_SW: Final = 0x05
SW_HEADPHONE_INSERT: Final = 0x02
_SW_BYTES: Final = 8  # SW_MAX is 0x10: two bytes would do, eight are safe
POLL_S: Final = 1.0


def _ioc_read(nr: int, size: int) -> int:
    return (2 << 30) | (size << 16) | (ord("E") << 8) | nr


def _bit(buf: bytes, bit: int) -> bool:
    return bool(buf[bit // 8] >> (bit % 8) & 1)


def read_jack(devices: Path = Path("/dev/input")) -> bool | None:
    """True when headphones are in, False when out, None when no jack is visible."""
    seen = False
    for path in sorted(devices.glob("event*")):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            caps = bytearray(_SW_BYTES)
            fcntl.ioctl(fd, _ioc_read(0x20 + EV_SW, _SW_BYTES), caps)
            if not _bit(bytes(caps), SW_HEADPHONE_INSERT):
                continue
            state = bytearray(_SW_BYTES)
            fcntl.ioctl(fd, _ioc_read(0x1B, _SW_BYTES), state)
            seen = True
            if _bit(bytes(state), SW_HEADPHONE_INSERT):
                return True
        except OSError:
            continue
        finally:
            os.close(fd)
    return False if seen else None


class HeadphoneWatch:
    """Polls the jack and reports changes (``on_change(plugged)``)."""

    def __init__(
        self,
        on_change: Callable[[bool], None],
        read: Callable[[], bool | None] = read_jack,
        interval_s: float = POLL_S,
    ) -> None:
        self.on_change = on_change
        self.read = read
        self.interval_s = interval_s
        self.state: bool | None = None
        self._task: asyncio.Task[None] | None = None

    def _read(self) -> bool | None:
        try:
            return self.read()
        except OSError:
            return None

    def poll(self) -> None:
        """Read the jack once; report a change."""
        self._apply(self._read())

    def _apply(self, state: bool | None) -> None:
        if state is None or state == self.state:
            return
        log.info("headphones %s", "plugged in" if state else "unplugged")
        self.state = state
        self.on_change(state)

    def start(self) -> None:
        """Poll in the background."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            # Read in a worker thread, report on the loop (the presenter is not thread-safe).
            self._apply(await asyncio.to_thread(self._read))
            await asyncio.sleep(self.interval_s)

    async def stop(self) -> None:
        """Stop polling."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
