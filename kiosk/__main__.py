"""``python -m kiosk``: the citizen terminal (touch UI), or ``--headless`` for scripts."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from client_core.headless import read_secret
from signaling.logs import setup_logging


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the kiosk."""
    parser = argparse.ArgumentParser(prog="python -m kiosk", description=__doc__)
    parser.add_argument("--server", default="ws://127.0.0.1:8765/ws", help="signaling URL")
    parser.add_argument("--token-file", help="file holding the kiosk's device token")
    parser.add_argument("--token-env", default="ETAPISTE_KIOSK_TOKEN")
    parser.add_argument("--headless", action="store_true", help="no screen: scripted citizen")
    parser.add_argument("--service", default="kela.benefits")
    parser.add_argument("--language", default="fi", choices=["fi", "sv", "en"])
    parser.add_argument("--hold", type=float, default=10.0, help="seconds to hold each call")
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--wait-timeout", type=float, default=120.0)
    parser.add_argument("--stats-interval", type=float, default=5.0)
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    logging.getLogger("aioice").setLevel(logging.WARNING)
    token = read_secret(args.token_file, args.token_env)
    if not args.headless:
        print("the touch UI is not built yet; use --headless", file=sys.stderr)
        return 2
    from kiosk.headless import KioskScript, run_kiosk

    script = KioskScript(
        url=args.server,
        token=token,
        service=args.service,
        language=args.language,
        hold_s=args.hold,
        calls=args.calls,
        wait_timeout_s=args.wait_timeout,
        stats_interval_s=args.stats_interval,
    )
    return asyncio.run(run_kiosk(script))


if __name__ == "__main__":
    raise SystemExit(main())
