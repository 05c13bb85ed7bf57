"""Administrative actions on appointments: the clerk time set aside for booked meetings per
service × language, and exceptions for single days. Audited like every admin action
(:mod:`signaling.admin`); the command line (``python -m signaling booking-capacity ...``) and
the dashboard call these."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from signaling.admin import AdminError, parse_weekly
from signaling.booking.capacity import Capacity, parse_intervals
from signaling.catalogue import Catalogue
from signaling.store import Store
from wire.types import LANGUAGES

__all__ = ["describe", "remove_capacity", "set_capacity", "set_exception"]


def _check_queue(catalogue: Catalogue, service_id: str, language: str) -> None:
    service = next((s for s in catalogue.services if s.id == service_id), None)
    if service is None:
        raise AdminError(f"no service {service_id!r}")
    if language not in LANGUAGES or language not in service.languages:
        raise AdminError(f"{service_id} is not served in {language!r}")


def set_capacity(
    store: Store, catalogue: Catalogue, actor: str, service_id: str, language: str, *,
    weekly: str, slot_minutes: int, clerks: int, timezone: str = "Europe/Helsinki", now: float,
) -> Capacity:
    """Set aside ``clerks`` clerks in the weekly pattern ``weekly`` (``mon=09:00-12:00 ...``)
    for booked meetings of ``slot_minutes``; keeps the day exceptions already set."""
    _check_queue(catalogue, service_id, language)
    pattern = parse_weekly(weekly)
    old = store.capacity(service_id, language)
    try:
        capacity = Capacity(
            service_id, language, slot_minutes, clerks,
            {d: [list(span) for span in spans] for d, spans in pattern.items()},
            dict(old.exceptions) if old else {}, timezone,
        )
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    store.set_capacity(capacity, now=now)
    store.audit(actor, "booking_capacity_set", f"{service_id}/{language}",
                {"weekly": weekly, "slot_minutes": slot_minutes, "clerks": clerks}, now=now)
    return capacity


def set_exception(
    store: Store, actor: str, service_id: str, language: str, day: str, spans: str | None, *,
    now: float,
) -> Capacity:
    """On ``day`` (ISO date) use ``spans`` (``09:00-11:00,13:00-14:00``; empty: no bookings
    that day) instead of the weekly pattern; ``spans`` None removes the exception."""
    old = store.capacity(service_id, language)
    if old is None:
        raise AdminError(f"no booking capacity for {service_id}/{language}: set it first")
    try:
        date.fromisoformat(day)
        exceptions = dict(old.exceptions)
        if spans is None:
            exceptions.pop(day, None)
        else:
            pairs = [s.strip().split("-", 1) for s in spans.split(",") if s.strip()]
            parse_intervals(pairs)
            exceptions[day] = pairs
        capacity = replace(old, exceptions=exceptions)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    store.set_capacity(capacity, now=now)
    store.audit(actor, "booking_exception_set", f"{service_id}/{language}",
                {"day": day, "spans": spans}, now=now)
    return capacity


def remove_capacity(store: Store, actor: str, service_id: str, language: str, *,
                    now: float) -> None:
    """Stop taking bookings for a service × language (booked meetings stay)."""
    if not store.delete_capacity(service_id, language):
        raise AdminError(f"no booking capacity for {service_id}/{language}")
    store.audit(actor, "booking_capacity_remove", f"{service_id}/{language}", {}, now=now)


def describe(capacity: Capacity) -> str:
    """One line for listings."""
    week = " ".join(
        f"{d}={','.join(f'{a}-{b}' for a, b in spans)}" for d, spans in capacity.weekly.items()
    )
    extra = " ".join(
        f"{d}={','.join(f'{a}-{b}' for a, b in spans) or 'none'}"
        for d, spans in sorted(capacity.exceptions.items())
    )
    return (f"{capacity.service_id}\t{capacity.language}\tslot={capacity.slot_minutes}min\t"
            f"clerks={capacity.clerks}\t{week}" + (f"\texceptions: {extra}" if extra else ""))
