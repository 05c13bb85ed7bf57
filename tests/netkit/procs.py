"""Child processes that print JSON lines (the headless kiosk and agent), read as they run.

A reader thread collects every ``{"event": ...}`` line with the local monotonic time it
arrived; tests wait for events with a bounded timeout. stderr goes to a log file next to the
stdout copy, for the report when something fails.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.netkit.netns import popen_in, stop_process

Event = dict[str, Any]


class JsonProc:
    """A running process whose stdout is JSON lines."""

    def __init__(
        self,
        name: str,
        ns: str | None,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        log_dir: Path,
    ) -> None:
        self.name = name
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = log_dir / f"{name}.jsonl"
        self.stderr_path = log_dir / f"{name}.stderr.log"
        self._stderr = self.stderr_path.open("wb")
        self.started = time.monotonic()
        self.proc = popen_in(ns, argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                             stderr=self._stderr)
        self._events: list[Event] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, name=f"{name}-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.stdout_path.open("w", encoding="utf-8") as copy:
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", errors="replace").strip()
                copy.write(line + "\n")
                copy.flush()
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(event, dict):
                    continue
                event["_mono"] = time.monotonic()
                with self._cond:
                    self._events.append(event)
                    self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def events(self, kind: str | None = None) -> list[Event]:
        with self._cond:
            return [e for e in self._events if kind is None or e.get("event") == kind]

    def wait_event(
        self,
        kind: str,
        predicate: Callable[[Event], bool] | None = None,
        *,
        timeout: float,
        since: float | None = None,
    ) -> Event:
        """The first ``kind`` event (arrived after monotonic ``since``) matching ``predicate``.

        Raises TimeoutError (with the tail of the logs) after ``timeout`` seconds, or
        RuntimeError when the process exits without printing it.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self._events:
                    if (
                        event.get("event") == kind
                        and (since is None or event["_mono"] >= since)
                        and (predicate is None or predicate(event))
                    ):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.name}: no {kind!r} within {timeout} s\n"
                                       f"{self.tail()}")
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise RuntimeError(f"{self.name} exited ({self.proc.returncode}) without "
                                       f"{kind!r}\n{self.tail()}")
                self._cond.wait(min(left, 0.25))

    def wait_exit(self, timeout: float) -> int:
        """Wait for the process to end by itself (bounded)."""
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def stop(self) -> int | None:
        code = stop_process(self.proc)
        self._reader.join(timeout=5)
        with contextlib.suppress(Exception):
            self._stderr.close()
        return code

    def tail(self, lines: int = 25) -> str:
        out = []
        for path in (self.stdout_path, self.stderr_path):
            with contextlib.suppress(OSError):
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                out.append(f"--- {path.name} (last {lines} lines)")
                out += text[-lines:]
        return "\n".join(out)
