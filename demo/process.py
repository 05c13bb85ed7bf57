"""A signaling server as a child process, for ``make demo``, benchmarks and tests:
:func:`start_server` runs ``python -m signaling serve`` on a data directory and
:func:`wait_ready` waits until it answers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

__all__ = ["ROOT", "start_server", "wait_ready"]

ROOT = Path(__file__).resolve().parent.parent


def start_server(
    data_dir: Path, port: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``python -m signaling serve`` as a child process."""
    env = dict(os.environ)
    env.update(
        ETAPISTE_DATA_DIR=str(data_dir),
        ETAPISTE_PORT=str(port),
        ETAPISTE_ALWAYS_OPEN="true",
        **(extra_env or {}),
    )
    log = (data_dir / "server.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "signaling", "serve"], env=env, stdout=log, stderr=log, cwd=ROOT
    )


async def wait_ready(
    base_url: str, timeout: float = 20.0, ssl_context: ssl.SSLContext | None = None
) -> None:
    """Poll ``/readyz`` until the server answers."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{base_url}/readyz", ssl=ssl_context or True) as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"server at {base_url} not ready within {timeout} s")
