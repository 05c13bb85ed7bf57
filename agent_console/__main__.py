"""``python -m agent_console``: the staff desktop app, or ``--headless`` for scripts."""

from __future__ import annotations

import argparse
import asyncio
import logging

from client_core.headless import read_secret
from signaling.logs import setup_logging


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the console."""
    parser = argparse.ArgumentParser(prog="python -m agent_console", description=__doc__)
    parser.add_argument("--server", default="http://127.0.0.1:8765", help="server base URL")
    parser.add_argument("--ca-file", help="CA bundle that signed the server's certificate")
    parser.add_argument("--username")
    parser.add_argument("--password-file")
    parser.add_argument("--password-env", default="ETAPISTE_PASSWORD")
    parser.add_argument("--headless", action="store_true", help="no screen: scripted agent")
    parser.add_argument("--hold", type=float, default=10.0)
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--reject-first", type=int, default=0)
    parser.add_argument("--wait-timeout", type=float, default=120.0)
    parser.add_argument("--stats-interval", type=float, default=5.0)
    parser.add_argument("--log-level", default="WARNING")
    ui = parser.add_argument_group("desktop UI")
    ui.add_argument("--ui-language", default="fi", choices=["fi", "sv", "en"])
    ui.add_argument(
        "--photo-folder",
        help="where document photos go when the agent presses Save (default: saving is off)",
    )
    ui.add_argument("--camera", default="0", help="camera device (index or path), or 'synthetic'")
    ui.add_argument("--no-sound", action="store_true", help="system beep instead of the chime")
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    logging.getLogger("aioice").setLevel(logging.WARNING)
    if args.ca_file:
        from client_core.tls import trust_ca_file_everywhere

        trust_ca_file_everywhere(args.ca_file)
    if not args.headless:
        from agent_console.app import run_ui

        return run_ui(args)
    if not args.username:
        parser.error("--username is required with --headless")
    from agent_console.headless import AgentScript, run_agent

    script = AgentScript(
        ca_file=args.ca_file,
        base_url=args.server,
        username=args.username,
        password=read_secret(args.password_file, args.password_env),
        hold_s=args.hold,
        calls=args.calls,
        reject_first=args.reject_first,
        wait_timeout_s=args.wait_timeout,
        stats_interval_s=args.stats_interval,
    )
    return asyncio.run(run_agent(script))


if __name__ == "__main__":
    raise SystemExit(main())
