"""Demo data and a server process for ``make demo``, benchmarks and network tests.

:func:`seed` makes a fresh data directory with the Nurmes and Lieksa kiosks, two agents and
an operator; :func:`start_server` runs ``python -m signaling serve`` on it as a child process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from signaling.catalogue import load_catalogue
from signaling.credentials import hash_password
from signaling.store import SqliteStore
from signaling.store.records import Role

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DemoAccount:
    """A demo agent's login."""

    username: str
    password: str
    name: str
    skills: tuple[str, ...]
    languages: tuple[str, ...]


AGENTS = (
    DemoAccount(
        "aino",
        "demo-aino-2026",
        "Aino Virtanen",
        ("kela.benefits", "vero.tax", "dvv.population"),
        ("fi", "sv"),
    ),
    DemoAccount(
        "erik",
        "demo-erik-2026",
        "Erik Lindholm",
        ("kela.benefits", "te.employment", "migri.permits"),
        ("fi", "sv", "en"),
    ),
)
OPERATOR = DemoAccount("operaattori", "demo-operator-2026", "Olli Operaattori", (), ("fi",))


@dataclass(frozen=True)
class DemoSetup:
    """What :func:`seed` created: where the data is and the credentials to use."""

    data_dir: Path
    kiosk_tokens: dict[str, str]
    agents: tuple[DemoAccount, ...]


def seed(data_dir: Path, catalogue: Path) -> DemoSetup:
    """Create a fresh store with Nurmes and Lieksa kiosks, two agents and an operator."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    store = SqliteStore.open(data_dir)
    try:
        now = time.time()
        store.seed_catalogue(load_catalogue(catalogue), now=now)
        tokens: dict[str, str] = {}
        for site_id, kiosk_name in (("nurmes", "Nurmes kiosk 1"), ("lieksa", "Lieksa kiosk 1")):
            kiosk_id, token = store.create_kiosk(site_id, kiosk_name, now=now)
            tokens[kiosk_id] = token
            store.audit("admin:demo", "kiosk_add", kiosk_id, {"site": site_id}, now=now)
        for acc in (*AGENTS, OPERATOR):
            role: Role = "operator" if acc is OPERATOR else "agent"
            store.create_account(
                acc.username, acc.name, role, hash_password(acc.password), list(acc.skills),
                list(acc.languages), now=now,
            )
    finally:
        store.close()
    return DemoSetup(data_dir, tokens, AGENTS)


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


