"""Administrative actions shared by the dashboard and the command line; all audited.

Each action checks its input, changes the store and writes one audit line naming the actor
(``admin:<id>`` from the dashboard, ``admin:cli`` from the command line). The dashboard's
forms and the command line (``python -m signaling``) both call these functions, so they accept
and refuse the same things. A kiosk's device token is returned once by :func:`provision_kiosk`
and :func:`rotate_kiosk_token`, a temporary password once by :func:`reset_password`; neither
is stored in clear or logged.

Actions that take a credential away (revoking or rotating a kiosk, disabling an account,
resetting a password) write to the store's revocation feed, so every server process closes the
connections concerned within a couple of seconds, whoever ran the action.

Hashing a password takes argon2's time: the command line calls these functions as they are,
the dashboard hashes in the server's password pool first and passes ``password_hash``.

Service edits (weekly opening hours, queue cap) are kept as overrides of the catalogue file, so
reseeding the catalogue at start-up does not undo them; :func:`effective_rules` merges them into
the routing rules, and :func:`apply_rules` hands them to a running router.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from argon2 import PasswordHasher
from pydantic import ValidationError

from signaling.catalogue import WEEKDAYS, Catalogue, OpeningHours
from signaling.credentials import PasswordRefused, check_new_password, hash_password
from signaling.errors import StoreError
from signaling.routing.hours import OpeningHours as RoutingHours
from signaling.routing.model import ServiceRules
from signaling.routing.router import Router
from signaling.store import Store
from signaling.store.records import ROLES, AccountRecord, Role, ServiceOverride
from signaling.text_rules import (
    DISPLAY_NAME_MAX,
    KIOSK_NAME_MAX,
    REGION_MAX,
    SITE_NAME_MAX,
    TextRejected,
    check_name,
)
from wire.types import LANGUAGES

Weekly = dict[str, tuple[tuple[str, str], ...]]

USERNAME_RE = re.compile(r"[A-Za-z0-9._-]{2,40}")
# Temporary passwords are read out or typed from a note: no 0/O, 1/l/I.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AdminError(ValueError):
    """An administrative action was refused; the message is safe to show."""


def _name(text: str, what: str, max_len: int, *, required: bool = True) -> str:
    try:
        return check_name(text, what, max_len, required=required)
    except TextRejected as exc:
        raise AdminError(str(exc)) from None


def _languages(languages: Iterable[str]) -> list[str]:
    wanted = sorted({lang.strip() for lang in languages if lang.strip()})
    unknown = [lang for lang in wanted if lang not in LANGUAGES]
    if unknown:
        raise AdminError(f"languages: only {', '.join(LANGUAGES)} (not {', '.join(unknown)})")
    return wanted


def find_account(store: Store, username: str) -> AccountRecord:
    """The account named ``username`` (any case), or :class:`AdminError`."""
    wanted = username.strip().lower()
    account = next((a for a in store.accounts() if a.username.lower() == wanted), None)
    if account is None:
        raise AdminError(f"no account {username.strip()[:40]!r}")
    return account


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


# --- kiosks and sites -------------------------------------------------------------------------


def add_site(
    store: Store,
    actor: str,
    site_id: str,
    name: str,
    region: str,
    *,
    now: float,
    name_sv: str | None = None,
    name_en: str | None = None,
) -> None:
    """Add a joint service point. ``name`` is used in every language not given its own."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", site_id):
        raise AdminError("site id: lower-case letters, digits and _ (e.g. 'kitee')")
    fi, sv, en = (_name(n, "site name", SITE_NAME_MAX)
                  for n in (name, name_sv or name, name_en or name))
    region = _name(region, "region", REGION_MAX, required=False)
    try:
        store.create_site(site_id, fi, sv, en, region, now=now)
    except StoreError as exc:
        raise AdminError(f"site {site_id!r} exists already") from exc
    store.audit(actor, "site_add", site_id, {"region": region}, now=now)


def provision_kiosk(
    store: Store, actor: str, site_id: str, name: str, *, now: float
) -> tuple[str, str]:
    """Register a kiosk; returns ``(kiosk_id, device_token)``; the token is shown once."""
    if store.site(site_id) is None:
        raise AdminError(f"no site {site_id[:40]!r}")
    name = _name(name, "kiosk name", KIOSK_NAME_MAX)
    kiosk_id, token = store.create_kiosk(site_id, name, now=now)
    store.audit(actor, "kiosk_add", kiosk_id, {"site": site_id, "name": name}, now=now)
    return kiosk_id, token


def revoke_kiosk(store: Store, actor: str, kiosk_id: str, *, now: float) -> None:
    """Revoke a kiosk's device token for good; its connection closes."""
    if not store.revoke_kiosk(kiosk_id, now=now):
        raise AdminError(f"no active kiosk {kiosk_id[:40]!r}")
    store.audit(actor, "kiosk_revoke", kiosk_id, {}, now=now)


def rotate_kiosk_token(store: Store, actor: str, kiosk_id: str, *, now: float) -> str:
    """A new device token for a kiosk (shown once); the old one stops working and a
    connection made with it closes."""
    try:
        token = store.rotate_kiosk_token(kiosk_id, now=now)
    except StoreError:
        raise AdminError(f"no active kiosk {kiosk_id[:40]!r}") from None
    store.audit(actor, "kiosk_token_rotate", kiosk_id, {}, now=now)
    return token


def set_hearing_loop(store: Store, actor: str, site_id: str, on: bool, *, now: float) -> None:
    """Record whether a site has a hearing loop; its kiosks show the sign from their next
    connection on."""
    if not store.set_site_hearing_loop(site_id, on):
        raise AdminError(f"no site {site_id!r}")
    store.audit(actor, "site_hearing_loop", site_id, {"on": on}, now=now)


def acknowledge_alert(store: Store, actor: str, by: str, alert_id: int, *, now: float) -> None:
    """An operator (named ``by``) has seen an alert."""
    if not store.acknowledge_alert(alert_id, by, now):
        raise AdminError(f"no unacknowledged alert {alert_id}")
    store.audit(actor, "alert_acknowledge", str(alert_id), {}, now=now)


# --- accounts ---------------------------------------------------------------------------------


def add_account(
    store: Store,
    actor: str,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    skills: Iterable[str],
    languages: Iterable[str],
    *,
    now: float,
    hasher: PasswordHasher | None = None,
    password_hash: str | None = None,
) -> str:
    """Create an agent, operator or admin account; returns its id. The password is hashed
    here (argon2id, ``hasher``'s parameters) unless ``password_hash`` already is its hash;
    only the hash is stored."""
    try:
        check_new_password(password)
    except PasswordRefused as exc:
        raise AdminError(str(exc)) from None
    if not USERNAME_RE.fullmatch(username.strip()):
        raise AdminError("username: 2-40 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AdminError("role must be agent, operator or admin")
    display = _name(display_name or username, "display name", DISPLAY_NAME_MAX)
    languages = _languages(languages)
    try:
        account_id = store.create_account(
            username, display, role, password_hash or hash_password(password, hasher),
            skills, languages, now=now,
        )
    except StoreError as exc:
        raise AdminError(_store_message(exc, f"username {username!r} is taken")) from exc
    store.audit(
        actor, "account_add", account_id, {"role": role, "skills": sorted(set(skills))}, now=now
    )
    return account_id


def set_skills(
    store: Store,
    actor: str,
    username: str,
    skills: Iterable[str],
    languages: Iterable[str] | None = None,
    *,
    now: float,
) -> str:
    """Replace an agent's services (and languages); takes effect at the agent's next login."""
    account = find_account(store, username)
    skills = sorted(set(skills))
    languages = None if languages is None else _languages(languages)
    try:
        store.set_skills(account.id, skills)
        if languages is not None:
            store.set_languages(account.id, sorted(set(languages)))
    except StoreError as exc:
        raise AdminError(_store_message(exc, "could not change skills")) from exc
    detail: dict[str, object] = {"skills": skills}
    if languages is not None:
        detail["languages"] = sorted(set(languages))
    store.audit(actor, "skills_set", account.id, detail, now=now)
    return account.id


def set_staff_profile(
    store: Store,
    actor: str,
    username: str,
    *,
    team: str | None,
    supervisor: bool,
    interprets: Iterable[str],
    now: float,
) -> str:
    """Set an agent's team, supervisor flag and interpretation languages (calls of three or
    four members); takes effect at the agent's next login."""
    from wire.member_messages import INTERPRETATION_LANGUAGES

    account = find_account(store, username)
    langs = sorted(set(interprets))
    unknown = [x for x in langs if x not in INTERPRETATION_LANGUAGES]
    if unknown:
        raise AdminError(f"unknown interpretation languages {unknown}; "
                         f"known: {', '.join(INTERPRETATION_LANGUAGES)}")
    if supervisor and not team:
        raise AdminError("a supervisor needs a team")
    try:
        store.set_staff_profile(account.id, team=team or None, supervisor=supervisor,
                                interpretation_languages=langs)
    except StoreError as exc:
        raise AdminError(_store_message(exc, "could not change the profile")) from exc
    store.audit(actor, "staff_profile_set", account.id,
                {"team": team, "supervisor": supervisor, "interprets": langs}, now=now)
    return account.id


def set_account_enabled(
    store: Store, actor: str, username: str, enabled: bool, *, now: float
) -> str:
    """Disable an account (its sessions end and its connections close) or enable it again."""
    account = find_account(store, username)
    if enabled:
        if not store.enable_account(account.id):
            raise AdminError(f"{account.username} is not disabled")
    elif not store.disable_account(account.id, now=now):
        raise AdminError(f"{account.username} is disabled already")
    store.audit(actor, "account_enable" if enabled else "account_disable", account.id, {},
                now=now)
    return account.id


def temporary_password() -> str:
    """A random temporary password such as ``k7dm-q3xa-vnp2`` (about 60 bits)."""
    raw = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def reset_password(
    store: Store,
    actor: str,
    username: str,
    password: str,
    *,
    now: float,
    hasher: PasswordHasher | None = None,
    password_hash: str | None = None,
) -> str:
    """Give an account a temporary password that must be changed at the next login; every
    session of the account ends and its connections close. Returns the account id."""
    account = find_account(store, username)
    try:
        check_new_password(password)
    except PasswordRefused as exc:
        raise AdminError(str(exc)) from None
    store.set_password_hash(
        account.id, password_hash or hash_password(password, hasher), now=now, must_change=True
    )
    store.audit(actor, "password_reset", account.id, {}, now=now)
    return account.id


def _store_message(exc: StoreError, fallback: str) -> str:
    text = str(exc)
    return text if "unknown" in text or "invalid" in text else fallback


# --- services ---------------------------------------------------------------------------------


def parse_weekly(text: str) -> Weekly:
    """Parse ``mon=09:00-16:00 tue=09:00-12:00,13:00-16:00 sat=`` (missing day: closed)."""
    weekly: Weekly = {}
    for item in text.replace(";", " ").split():
        day, sep, spans = item.partition("=")
        day = day.strip().lower()
        if not sep or day not in WEEKDAYS:
            raise AdminError(f"{item!r}: expected day=HH:MM-HH:MM with day one of mon..sun")
        intervals = []
        for span in _split(spans):
            start, dash, end = span.partition("-")
            if not dash:
                raise AdminError(f"{span!r}: expected HH:MM-HH:MM")
            intervals.append((start.strip(), end.strip()))
        weekly[day] = tuple(intervals)
    try:
        OpeningHours.model_validate({"weekly": weekly})
    except ValidationError as exc:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise AdminError(problems) from None
    return {d: weekly[d] for d in WEEKDAYS if weekly.get(d)}


def format_weekly(weekly: Mapping[str, Sequence[Sequence[str]]] | Mapping[Any, Any]) -> str:
    """The inverse of :func:`parse_weekly`."""
    return " ".join(
        f"{d}=" + ",".join(f"{a}-{b}" for a, b in weekly[d]) for d in WEEKDAYS if weekly.get(d)
    )


def set_service(
    store: Store,
    catalogue: Catalogue,
    actor: str,
    service_id: str,
    *,
    weekly: Weekly | None,
    max_queue: int | None,
    now: float,
) -> ServiceOverride:
    """Override a catalogue service's weekly hours and/or queue cap (None: keep catalogue's)."""
    if catalogue.service(service_id) is None:
        raise AdminError(f"no service {service_id!r}")
    if max_queue is not None and not 1 <= max_queue <= 10_000:
        raise AdminError("the queue cap must be between 1 and 10000")
    override = store.set_service_override(
        service_id, actor, weekly=weekly, max_queue=max_queue, now=now
    )
    detail: dict[str, object] = {"max_queue": max_queue}
    detail["weekly"] = None if weekly is None else format_weekly(weekly)
    store.audit(actor, "service_edit", service_id, detail, now=now)
    return override


def effective_rules(
    base: Mapping[str, ServiceRules],
    catalogue: Catalogue,
    overrides: Iterable[ServiceOverride],
    *,
    always_open: bool,
) -> dict[str, ServiceRules]:
    """The routing rules with administrators' overrides applied."""
    rules = dict(base)
    for o in overrides:
        service = catalogue.service(o.service_id)
        current = rules.get(o.service_id)
        if service is None or current is None:
            continue
        if o.weekly is not None and not always_open:
            hours = RoutingHours(
                {d: [list(i) for i in v] for d, v in o.weekly.items()},
                tz=service.hours.tz,
                closed_dates=[d.isoformat() for d in catalogue.closed_dates(service)],
            )
            current = replace(current, hours=hours)
        if o.max_queue is not None:
            current = replace(current, max_queue=o.max_queue)
        rules[o.service_id] = current
    return rules


def apply_rules(router: Router, rules: Mapping[str, ServiceRules]) -> None:
    """Give a running router new service rules (opening hours, queue caps); they take
    effect at the next join."""
    router.update_rules(rules)
