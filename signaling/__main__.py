"""Command line: ``python -m signaling serve|add-site|add-kiosk|revoke-kiosk|add-account|kiosks``.

Admin commands work on the data directory directly (the server may be running: SQLite WAL
allows it) and write every change to the audit log. A new kiosk's device token is printed
once and never stored in clear.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from signaling.admin import add_cli_commands, run_cli_command
from signaling.catalogue import load_catalogue
from signaling.credentials import hash_password
from signaling.logs import setup_logging
from signaling.settings import Settings
from signaling.store import SqliteStore, Store


def _store(settings: Settings) -> Store:
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    store = SqliteStore.open(Path(settings.data_dir))
    store.seed_catalogue(load_catalogue(settings.catalogue), now=time.time())
    return store


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m signaling", description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="overrides ETAPISTE_DATA_DIR")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the signaling server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    site = sub.add_parser("add-site", help="add a joint service point")
    site.add_argument("site_id")
    site.add_argument("--name-fi", required=True)
    site.add_argument("--name-sv", required=True)
    site.add_argument("--name-en", required=True)
    site.add_argument("--region", default="")
    kiosk = sub.add_parser("add-kiosk", help="provision a kiosk; prints its device token once")
    kiosk.add_argument("site_id")
    kiosk.add_argument("name")
    revoke = sub.add_parser("revoke-kiosk", help="revoke a kiosk's device token")
    revoke.add_argument("kiosk_id")
    account = sub.add_parser("add-account", help="add an agent or operator")
    account.add_argument("username")
    account.add_argument("--name", required=True, help="display name")
    account.add_argument("--role", choices=["agent", "operator"], default="agent")
    account.add_argument("--skills", default="", help="comma-separated service ids")
    account.add_argument("--languages", default="fi", help="comma-separated: fi,sv,en")
    account.add_argument(
        "--password-env", help="read the password from this environment variable, not a prompt"
    )
    sub.add_parser("kiosks", help="list kiosks")
    add_cli_commands(sub)
    args = parser.parse_args(argv)

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
        from signaling.server import serve as run_server

        asyncio.run(run_server(settings))
        return 0
    store = _store(settings)
    try:
        result = run_cli_command(args, store, load_catalogue(settings.catalogue))
        if result is not None:
            return result
        now = time.time()
        if args.command == "add-site":
            store.create_site(
                args.site_id, args.name_fi, args.name_sv, args.name_en, args.region, now=now
            )
            store.audit("admin:cli", "site_add", args.site_id, {}, now=now)
            print(f"site {args.site_id} added")
        elif args.command == "add-kiosk":
            kiosk_id, token = store.create_kiosk(args.site_id, args.name, now=now)
            store.audit("admin:cli", "kiosk_add", kiosk_id, {"site": args.site_id}, now=now)
            print(f"kiosk {kiosk_id} at {args.site_id}")
            print(f"device token (shown once, store it in the kiosk's token file): {token}")
        elif args.command == "revoke-kiosk":
            if not store.revoke_kiosk(args.kiosk_id, now=now):
                print(f"no active kiosk {args.kiosk_id}", file=sys.stderr)
                return 1
            store.audit("admin:cli", "kiosk_revoke", args.kiosk_id, {}, now=now)
            print(f"kiosk {args.kiosk_id} revoked")
        elif args.command == "add-account":
            password = (
                os.environ.get(args.password_env, "")
                if args.password_env
                else getpass.getpass("password: ")
            )
            if len(password) < 8:
                print("password must have at least 8 characters", file=sys.stderr)
                return 2
            account_id = store.create_account(
                args.username,
                args.name,
                args.role,
                hash_password(password),
                [s for s in args.skills.split(",") if s],
                [lang for lang in args.languages.split(",") if lang],
                now=now,
            )
            store.audit("admin:cli", "account_add", account_id, {"role": args.role}, now=now)
            print(f"{args.role} {args.username} added as {account_id}")
        elif args.command == "kiosks":
            for k in store.list_kiosks():
                state = "revoked" if k.revoked_at else "active"
                print(f"{k.id}\t{k.site_id}\t{k.name}\t{state}")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
