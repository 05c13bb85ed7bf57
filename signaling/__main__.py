"""Command line: ``python -m signaling serve`` and the administrative commands.

Admin commands work on the data directory directly (the server may be running: SQLite WAL
allows it) and call the same functions as the dashboard's admin page (:mod:`signaling.admin`),
so they accept and refuse the same input and write the same audit lines, with the actor
``admin:cli``. A new kiosk's device token and a temporary password are printed once and
never stored in clear. Revoking, rotating, disabling and resetting take effect on a running
server within a few seconds (it follows the store's revocation feed).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jsonlog import setup_logging
from signaling import admin, booking_admin
from signaling.admin import AdminError
from signaling.catalogue import Catalogue, load_catalogue
from signaling.retention import RetentionPolicy, purge
from signaling.server import serve
from signaling.settings import Settings
from signaling.store import Store, open_store

CLI_ACTOR = "admin:cli"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m signaling", description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="overrides ETAPISTE_DATA_DIR")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the signaling server")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p = sub.add_parser("add-site", help="add a joint service point")
    p.add_argument("site_id")
    p.add_argument("--name-fi", required=True)
    p.add_argument("--name-sv", help="default: the Finnish name")
    p.add_argument("--name-en", help="default: the Finnish name")
    p.add_argument("--region", default="")
    sub.add_parser("sites", help="list sites and their settings")
    p = sub.add_parser("set-site", help="change a site's settings")
    p.add_argument("site_id")
    p.add_argument("--hearing-loop", choices=["on", "off"], required=True,
                   help="the site has an induction loop: its kiosks show the sign")
    p = sub.add_parser("add-kiosk", help="provision a kiosk; prints its device token once")
    p.add_argument("site_id")
    p.add_argument("name")
    p = sub.add_parser("revoke-kiosk", help="revoke a kiosk's device token")
    p.add_argument("kiosk_id")
    p = sub.add_parser("rotate-kiosk-token", help="a new device token for a kiosk (printed once)")
    p.add_argument("kiosk_id")
    sub.add_parser("kiosks", help="list kiosks")
    p = sub.add_parser("add-account", help="add an agent, operator or admin")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--role", choices=["agent", "operator", "admin"], default="agent")
    p.add_argument("--skills", default="", help="comma-separated service ids")
    p.add_argument("--languages", default="fi", help="comma-separated: fi,sv,en")
    p.add_argument(
        "--password-env", help="read the password from this environment variable, not a prompt"
    )
    p = sub.add_parser("set-skills", help="replace an agent's services (and languages)")
    p.add_argument("username")
    p.add_argument("--skills", required=True, help="comma-separated service ids")
    p.add_argument("--languages", help="comma-separated: fi,sv,en (default: unchanged)")
    p = sub.add_parser("set-member-profile",
                       help="an agent's team, supervisor flag and interpretation languages")
    p.add_argument("username")
    p.add_argument("--team", help="team id (clerks and their supervisor share one)")
    p.add_argument("--supervisor", action="store_true", help="supervises --team")
    p.add_argument("--interprets", default="", help="comma-separated, e.g. so,ar,fi-sign")
    sub.add_parser("accounts", help="list agents, operators and admins")
    p = sub.add_parser("disable-account", help="disable an account; its sessions end at once")
    p.add_argument("username")
    p = sub.add_parser("enable-account", help="let a disabled account log in again")
    p.add_argument("username")
    p = sub.add_parser(
        "reset-password",
        help="a temporary password (printed once) that must be changed at the next login",
    )
    p.add_argument("username")
    p.add_argument("--password-env", help="take the temporary password from this variable")
    p = sub.add_parser("set-hours", help="edit a service's weekly opening hours or queue cap")
    p.add_argument("service_id")
    p.add_argument("--weekly", help="e.g. 'mon=09:00-16:00 tue=09:00-12:00,13:00-16:00'")
    p.add_argument("--max-queue", type=int)
    sub.add_parser("services", help="list services with their effective hours")
    p = sub.add_parser("alerts", help="list open alerts (with --all: the last day's too)")
    p.add_argument("--all", action="store_true")
    p = sub.add_parser("ack-alert", help="acknowledge an alert")
    p.add_argument("alert_id", type=int)
    p = sub.add_parser("audit", help="show audit lines, newest first")
    p.add_argument("--actor", help="actor contains this text")
    p.add_argument("--action", help="exactly this action")
    p.add_argument("--limit", type=int, default=50)
    p = sub.add_parser("booking-capacity",
                       help="set aside clerk time for booked meetings of a service × language")
    p.add_argument("service_id")
    p.add_argument("language", choices=["fi", "sv", "en"])
    p.add_argument("--weekly", required=True, help="e.g. 'tue=09:00-12:00 thu=13:00-16:00'")
    p.add_argument("--slot-minutes", type=int, default=30)
    p.add_argument("--clerks", type=int, default=1, help="clerks set aside at the same time")
    p = sub.add_parser("booking-exception", help="other booking hours on one day (or none)")
    p.add_argument("service_id")
    p.add_argument("language", choices=["fi", "sv", "en"])
    p.add_argument("day", help="YYYY-MM-DD")
    p.add_argument("--spans", help="e.g. '09:00-11:00'; empty: no bookings that day")
    p.add_argument("--remove", action="store_true", help="back to the weekly pattern that day")
    sub.add_parser("booking-capacities", help="list the clerk time set aside for bookings")
    sub.add_parser("verify-audit", help="check the audit log's hash chain (exit 2 if broken)")
    sub.add_parser("purge", help="delete what has outlived its retention period now")
    return parser


def _add_site(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    admin.add_site(store, CLI_ACTOR, args.site_id, args.name_fi, args.region, now=now,
                   name_sv=args.name_sv, name_en=args.name_en)
    print(f"site {args.site_id} added")


def _sites(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    for site in store.sites():
        loop = "hearing-loop" if site.hearing_loop else "-"
        print(f"{site.id}\t{site.name_fi}\t{site.region or '-'}\t{loop}")


def _set_site(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    admin.set_hearing_loop(store, CLI_ACTOR, args.site_id, args.hearing_loop == "on", now=now)
    print(f"site {args.site_id}: hearing loop {args.hearing_loop} "
          "(kiosks show it from their next connection)")


def _add_kiosk(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    kiosk_id, token = admin.provision_kiosk(store, CLI_ACTOR, args.site_id, args.name, now=now)
    print(f"kiosk {kiosk_id} at {args.site_id}")
    print(f"device token (shown once, store it in the kiosk's token file): {token}")


def _revoke_kiosk(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    admin.revoke_kiosk(store, CLI_ACTOR, args.kiosk_id, now=now)
    print(f"kiosk {args.kiosk_id} revoked")


def _rotate_kiosk(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    token = admin.rotate_kiosk_token(store, CLI_ACTOR, args.kiosk_id, now=now)
    print(f"kiosk {args.kiosk_id}: new device token (shown once; the old one no longer works):")
    print(token)


def _kiosks(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    for k in store.list_kiosks():
        print(f"{k.id}\t{k.site_id}\t{k.name}\t{'revoked' if k.revoked_at else 'active'}")


def _add_account(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    if args.password_env:
        password = os.environ.get(args.password_env, "")
    else:
        password = getpass.getpass("password: ")
    account_id = admin.add_account(
        store, CLI_ACTOR, args.username, args.name, args.role, password, _split(args.skills),
        _split(args.languages), now=now,
    )
    print(f"{args.role} {args.username} added as {account_id}")


def _set_skills(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    languages = None if args.languages is None else _split(args.languages)
    admin.set_skills(store, CLI_ACTOR, args.username, _split(args.skills), languages, now=now)
    print(f"skills of {args.username} set (effective at the agent's next login)")


def _set_member_profile(
    args: argparse.Namespace, store: Store, _: Catalogue, now: float
) -> None:
    admin.set_staff_profile(store, CLI_ACTOR, args.username, team=args.team,
                            supervisor=args.supervisor, interprets=_split(args.interprets),
                            now=now)
    print(f"profile of {args.username} set (effective at the agent's next login)")


def _accounts(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    for a in store.accounts():
        state = "disabled" if a.disabled else "active"
        print(f"{a.id}\t{a.username}\t{a.role}\t{','.join(sorted(a.skills))}\t"
              f"{','.join(sorted(a.languages))}\t{state}")


def _disable_account(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    admin.set_account_enabled(store, CLI_ACTOR, args.username, False, now=now)
    print(f"{args.username} disabled; its sessions have ended")


def _enable_account(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    admin.set_account_enabled(store, CLI_ACTOR, args.username, True, now=now)
    print(f"{args.username} enabled")


def _reset_password(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    given = os.environ.get(args.password_env, "") if args.password_env else ""
    password = given or admin.temporary_password()
    admin.reset_password(store, CLI_ACTOR, args.username, password, now=now)
    print(f"{args.username}: password reset; it must be changed at the next login")
    if not given:
        print(f"temporary password (shown once): {password}")


def _audit(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    for a in store.audit_search(actor=args.actor, action=args.action, limit=args.limit):
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(a.at))
        print(f"{a.id}\t{when}\t{a.actor}\t{a.action}\t{a.subject}\t{json.dumps(a.detail)}")


def _verify_audit(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> int:
    report = store.verify_audit_chain()
    legacy = f" ({report.legacy} written before the chain existed)" if report.legacy else ""
    if report.ok:
        print(f"audit chain intact: {report.rows} rows{legacy}")
        return 0
    print(f"audit chain BROKEN at row {report.first_bad_id}: {report.problem}", file=sys.stderr)
    return 2


def _purge(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    policy = RetentionPolicy.from_settings(Settings())  # the periods of the server's settings
    counts = purge(store, policy, CLI_ACTOR, now, always_audit=True)
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


def _set_hours(args: argparse.Namespace, store: Store, cat: Catalogue, now: float) -> None:
    weekly = None if args.weekly is None else admin.parse_weekly(args.weekly)
    if weekly is None and args.max_queue is None:
        raise AdminError("give --weekly and/or --max-queue")
    admin.set_service(store, cat, CLI_ACTOR, args.service_id, weekly=weekly,
                      max_queue=args.max_queue, now=now)
    print(f"{args.service_id} updated (a running server applies it within 15 s)")


def _services(args: argparse.Namespace, store: Store, cat: Catalogue, now: float) -> None:
    overrides = {o.service_id: o for o in store.service_overrides()}
    for s in cat.services:
        o = overrides.get(s.id)
        shown: Mapping[Any, Any] = o.weekly if o and o.weekly is not None else s.hours.weekly
        cap = o.max_queue if o and o.max_queue is not None else s.max_queue
        mark = " (edited)" if o else ""
        print(f"{s.id}\tmax_queue={cap}\t{admin.format_weekly(shown)}{mark}")


def _alerts(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    for al in store.recent_alerts(now - 86400) if args.all else store.open_alerts():
        state = "cleared" if al.cleared_at else "open"
        ack = f"ack by {al.acknowledged_by}" if al.acknowledged_at else "unacknowledged"
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(al.raised_at))
        print(f"{al.id}\t{when}\t{al.kind}\t{al.subject}\t{state}\t{ack}")


def _ack_alert(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    admin.acknowledge_alert(store, CLI_ACTOR, CLI_ACTOR, args.alert_id, now=now)
    print(f"alert {args.alert_id} acknowledged")


def _booking_capacity(args: argparse.Namespace, store: Store, cat: Catalogue, now: float) -> None:
    capacity = booking_admin.set_capacity(
        store, cat, CLI_ACTOR, args.service_id, args.language, weekly=args.weekly,
        slot_minutes=args.slot_minutes, clerks=args.clerks, timezone=Settings().timezone,
        now=now,
    )
    print(booking_admin.describe(capacity))


def _booking_exception(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    if args.remove == (args.spans is not None):
        raise AdminError("give --spans (may be empty) or --remove")
    capacity = booking_admin.set_exception(
        store, CLI_ACTOR, args.service_id, args.language, args.day,
        None if args.remove else args.spans, now=now,
    )
    print(booking_admin.describe(capacity))


def _booking_capacities(args: argparse.Namespace, store: Store, _: Catalogue, now: float) -> None:
    for capacity in store.capacities():
        print(booking_admin.describe(capacity))


Command = Callable[[argparse.Namespace, Store, Catalogue, float], int | None]
COMMANDS: dict[str, Command] = {
    "add-site": _add_site,
    "sites": _sites,
    "set-site": _set_site,
    "add-kiosk": _add_kiosk,
    "revoke-kiosk": _revoke_kiosk,
    "rotate-kiosk-token": _rotate_kiosk,
    "kiosks": _kiosks,
    "add-account": _add_account,
    "set-skills": _set_skills,
    "set-member-profile": _set_member_profile,
    "accounts": _accounts,
    "disable-account": _disable_account,
    "enable-account": _enable_account,
    "reset-password": _reset_password,
    "audit": _audit,
    "verify-audit": _verify_audit,
    "purge": _purge,
    "set-hours": _set_hours,
    "services": _services,
    "alerts": _alerts,
    "ack-alert": _ack_alert,
    "booking-capacity": _booking_capacity,
    "booking-exception": _booking_exception,
    "booking-capacities": _booking_capacities,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; 1 if the input was refused."""
    args = _parser().parse_args(argv)
    overrides: dict[str, object] = {}
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.command == "serve":
        if args.host:
            overrides["host"] = args.host
        if args.port is not None:
            overrides["port"] = args.port
    settings = Settings(**overrides)  # type: ignore[arg-type]
    setup_logging(settings.log_level)
    if args.command == "serve":
        asyncio.run(serve(settings))
        return 0
    now = time.time()
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue(settings.catalogue)
    # On a cluster node this is the shared PostgreSQL database: a revocation written here
    # closes the connection on whichever node holds it (each polls the revocation feed).
    store = open_store(settings.database, Path(settings.data_dir),
                       audit_key_file=settings.audit_key_file, application_name="etapiste:cli")
    try:
        store.seed_catalogue(catalogue, now=now)
        code = COMMANDS[args.command](args, store, catalogue, now)
    except AdminError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        store.close()
    return code or 0


if __name__ == "__main__":
    raise SystemExit(main())
