"""``make demo``: seed a fresh data directory, start the server, run a scripted call with real
media, print live call statistics, then keep the server running until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import subprocess
from pathlib import Path

from demo.process import ROOT, start_server, wait_ready
from demo.script import run_script
from demo.seed import AGENTS, STAFF, seed
from demo.windows import close_windows, has_display, open_windows
from signaling.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Seed, start the server, run the scripted call, then wait for Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".demo" / "data")
    parser.add_argument("--seconds", type=float, default=12.0, help="length of the demo call")
    parser.add_argument("--no-wait", action="store_true", help="stop after the script")
    parser.add_argument("--no-windows", action="store_true", help="no kiosk/console windows")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    setup = seed(args.data_dir, Settings().catalogue)
    base = f"http://127.0.0.1:{args.port}"
    print(f"Etäpiste demo — data in {setup.data_dir}, server log {setup.data_dir / 'server.log'}")
    print(f"  signaling server: {base}  (WebSocket {base.replace('http', 'ws')}/ws)")
    for kiosk_id, token in setup.kiosk_tokens.items():
        print(f"  kiosk {kiosk_id}: device token {token}")
    for acc, role in STAFF:
        what = ", ".join(acc.skills) or role
        print(f"  {acc.username} / {acc.password}  ({acc.name}; {what})")
    server = start_server(setup.data_dir, args.port)
    code = 0
    windows: list[subprocess.Popen[bytes]] = []
    try:
        asyncio.run(wait_ready(base))
        if has_display(os.environ) and not args.no_windows:
            # The scripted call uses the first kiosk and both agents; the windows get the
            # second kiosk, and the console waits at its login for erik (password above).
            windows = open_windows(base, list(setup.kiosk_tokens.values())[-1], AGENTS[1].username)
            print("  windows: the Lieksa kiosk and the agent console (close them with Ctrl-C)")
        code = asyncio.run(run_script(base, setup, args.seconds))
        if not args.no_wait:
            print(f"The server keeps running at {base}; press Ctrl-C to stop it.")
            with contextlib.suppress(KeyboardInterrupt):
                server.wait()
    finally:
        close_windows(windows)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        print(f"server stopped (exit code {server.returncode})")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
