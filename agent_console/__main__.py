"""``python -m agent_console``: the staff desktop app, or ``--headless`` for scripts."""

from __future__ import annotations

import argparse
import asyncio

from client_core.headless import add_call_arguments, call_options, read_secret
from jsonlog import setup_logging


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the console."""
    parser = argparse.ArgumentParser(prog="python -m agent_console", description=__doc__)
    parser.add_argument(
        "--server", default="http://127.0.0.1:8765",
        help="server base URL, or several comma-separated (tried in turn; a cluster's nodes)",
    )
    parser.add_argument("--ca-file", help="CA bundle that signed the server's certificate")
    parser.add_argument("--username")
    parser.add_argument("--password-file")
    parser.add_argument("--password-env", default="ETAPISTE_PASSWORD")
    parser.add_argument("--headless", action="store_true", help="no screen: scripted agent")
    parser.add_argument("--reject-first", type=int, default=0)
    add_call_arguments(parser)
    members = parser.add_argument_group("headless: calls of three or four members (--mesh)")
    members.add_argument("--invite", action="append", default=[],
                         help="interpreters:LANG, service:ID or agent:NAME (repeatable)")
    members.add_argument("--invite-after", type=float, default=0.0,
                         help="seconds after the citizen's picture arrives")
    members.add_argument("--member", action="store_true",
                         help="take an invitation to another clerk's call instead")
    members.add_argument("--supervise", choices=["listen", "whisper", "barge"],
                         help="join a call of the team in this mode")
    members.add_argument("--supervise-min-members", type=int, default=2)
    members.add_argument("--mode-after", help="SECONDS:MODE, a supervisor's later mode")
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
    if args.ca_file:
        from client_core.tls import trust_ca_file_everywhere

        trust_ca_file_everywhere(args.ca_file)
    if not args.headless:
        from agent_console.app import run_ui

        return run_ui(args)
    if not args.username:
        parser.error("--username is required with --headless")
    from agent_console.headless import AgentScript, run_agent
    from agent_console.headless_members import MemberPlan

    mode_after = None
    if args.mode_after:
        after, _, mode = args.mode_after.partition(":")
        if mode not in ("listen", "whisper", "barge"):
            parser.error("--mode-after SECONDS:listen|whisper|barge")
        mode_after = (float(after), mode)
    plan = MemberPlan(
        invites=tuple(args.invite), invite_after_s=args.invite_after, member=args.member,
        supervise=args.supervise, supervise_min_members=args.supervise_min_members,
        mode_after=mode_after,
    )
    script = AgentScript(
        plan=plan,
        ca_file=args.ca_file,
        base_url=args.server,
        username=args.username,
        password=read_secret(args.password_file, args.password_env),
        reject_first=args.reject_first,
        **call_options(args),
    )
    return asyncio.run(run_agent(script))


if __name__ == "__main__":
    raise SystemExit(main())
