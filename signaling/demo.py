"""``make demo``: a fresh data directory, demo sites, kiosks and agents, the server, and a
scripted citizen and clerk who go through the queue and set up a call.

The server runs as its own process (as in production); the scripted clients use the same
client core as the real kiosk and console. The server keeps running until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from signaling.catalogue import load_catalogue
from signaling.settings import Settings
from signaling.store import Store

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
    store = Store.open(data_dir)
    try:
        store.seed_catalogue(load_catalogue(catalogue))
        tokens: dict[str, str] = {}
        for site_id, kiosk_name in (("nurmes", "Nurmes kiosk 1"), ("lieksa", "Lieksa kiosk 1")):
            kiosk_id, token = store.create_kiosk(site_id, kiosk_name)
            tokens[kiosk_id] = token
            store.audit("admin:demo", "kiosk_add", kiosk_id, {"site": site_id})
        for acc in (*AGENTS, OPERATOR):
            role = "operator" if acc is OPERATOR else "agent"
            store.create_account(
                acc.username, acc.name, role, acc.password, list(acc.skills), list(acc.languages)
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


async def wait_ready(base_url: str, timeout: float = 20.0) -> None:
    """Poll ``/readyz`` until the server answers."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{base_url}/readyz") as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"server at {base_url} not ready within {timeout} s")


def main(argv: list[str] | None = None) -> int:
    """Seed, start the server, run the scripted call, then wait for Ctrl-C."""
    from signaling.demo_script import run_script

    parser = argparse.ArgumentParser(prog="python -m signaling.demo")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".demo" / "data")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the demo call")
    parser.add_argument("--no-wait", action="store_true", help="stop after the script")
    args = parser.parse_args(argv)

    setup = seed(args.data_dir, Settings().catalogue)
    base = f"http://127.0.0.1:{args.port}"
    print(f"Etäpiste demo — data in {setup.data_dir}, server log {setup.data_dir / 'server.log'}")
    print(f"  signaling server: {base}  (WebSocket {base.replace('http', 'ws')}/ws)")
    for kiosk_id, token in setup.kiosk_tokens.items():
        print(f"  kiosk {kiosk_id}: device token {token}")
    for acc in (*AGENTS, OPERATOR):
        what = ", ".join(acc.skills) or "operator"
        print(f"  {acc.username} / {acc.password}  ({acc.name}; {what})")
    server = start_server(setup.data_dir, args.port)
    code = 0
    try:
        asyncio.run(wait_ready(base))
        code = asyncio.run(run_script(base, setup, args.seconds))
        if not args.no_wait:
            print("The server keeps running; press Ctrl-C to stop it.")
            with contextlib.suppress(KeyboardInterrupt):
                server.wait()
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
