"""Running the real server and headless clients as separate processes, reading their lines."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Headless:
    """A headless kiosk or agent process and the JSON events it printed."""

    proc: asyncio.subprocess.Process
    events: list[dict[str, Any]] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("event") == kind]

    async def wait_event(self, kind: str, timeout: float) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            found = self.of(kind)
            if found:
                return found[-1]
            if self.proc.returncode is not None and self.reader and self.reader.done():
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {kind!r} event; got {[e.get('event') for e in self.events]}")

    async def finish(self, timeout: float) -> int:
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        if self.reader is not None:
            await asyncio.wait_for(self.reader, 5)
        return code

    async def hang_up(self, timeout: float) -> int:
        """SIGTERM: the client hangs up now, the same hang-up as at the end of its
        ``--hold``, and exits (``finish``); so a test need not wait out a hold made long
        enough for a slow machine."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
        return await self.finish(timeout)


async def spawn(
    module: str, args: list[str], env: dict[str, str], log: Path | None = None
) -> Headless:
    """Start ``python -m module --headless ...`` and collect its JSON lines (logs to ``log``).

    The clients stamp their frames: every user of this helper measures (latency, lost
    frames), which a real call does not.
    """
    stderr = log.open("ab") if log is not None else asyncio.subprocess.DEVNULL
    if log is not None:
        args = [*args, "--log-level", "INFO"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        "--headless",
        "--stamp-frames",
        *args,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
    )
    h = Headless(proc)

    async def read() -> None:
        assert proc.stdout is not None
        async for line in proc.stdout:
            try:
                h.events.append(json.loads(line))
            except ValueError:
                continue

    h.reader = asyncio.ensure_future(read())
    return h


async def kill_all(*procs: Headless) -> None:
    for h in procs:
        if h.proc.returncode is None:
            h.proc.kill()
            await h.proc.wait()
