"""Appointments: clerk time set aside per service × language, and bookings.

Making a booking is one transaction that checks and takes the slot: it locks the site's row
and the capacity's row first (a no-op update: SQLite has one writer anyway, PostgreSQL then
serialises bookings for the same site or the same service × language), reads the active
bookings that overlap, and inserts only if a set-aside clerk, a kiosk of the site and (when
named) the clerk are still free. Two citizens racing for the last slot: one gets it, the other
is told it was taken.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import astuple, replace
from typing import Any

from signaling.booking.capacity import Capacity
from signaling.booking.model import ACTIVE, BookingRecord, BookingState, MadeBy
from signaling.booking.slots import pick_kiosk
from signaling.errors import StoreError
from signaling.store.db import Conn, Row, SqlAggregate, from_row, new_id, to_json

__all__ = ["BookingsSql"]

_ACTIVE_JSON = to_json(sorted(ACTIVE))


class BookingsSql(SqlAggregate):
    """Booking capacity and bookings."""

    # ----------------------------------------------------------- capacity

    def set_capacity(self, capacity: Capacity, *, now: float) -> None:
        """Set (or replace) the time set aside for one service × language."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO booking_capacity (service_id, language, slot_minutes, clerks, "
                "weekly, exceptions, tz, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(service_id, language) DO UPDATE SET "
                "slot_minutes=excluded.slot_minutes, clerks=excluded.clerks, "
                "weekly=excluded.weekly, exceptions=excluded.exceptions, tz=excluded.tz, "
                "updated_at=excluded.updated_at",
                (
                    capacity.service_id,
                    capacity.language,
                    capacity.slot_minutes,
                    capacity.clerks,
                    to_json(dict(capacity.weekly)),
                    to_json(dict(capacity.exceptions)),
                    capacity.tz,
                    now,
                ),
            )

    def capacity(self, service_id: str, language: str) -> Capacity | None:
        """The time set aside for a service × language, if any."""
        row = self._one(
            "SELECT * FROM booking_capacity WHERE service_id=? AND language=?",
            (service_id, language),
        )
        return None if row is None else _capacity(row)

    def capacities(self) -> list[Capacity]:
        """Every service × language with time set aside, by service and language."""
        rows = self._all("SELECT * FROM booking_capacity ORDER BY service_id, language")
        return [_capacity(r) for r in rows]

    def delete_capacity(self, service_id: str, language: str) -> bool:
        """Stop offering bookings for a service × language (booked ones stay)."""
        return self._changed(
            "DELETE FROM booking_capacity WHERE service_id=? AND language=?",
            (service_id, language),
        )

    # ----------------------------------------------------------- bookings

    def make_booking(
        self,
        *,
        code_digest: str,
        code_hint: str,
        service_id: str,
        language: str,
        site_id: str,
        start_at: float,
        end_at: float,
        agent_id: str | None,
        made_by: MadeBy,
        made_by_agent: str | None = None,
        now: float,
    ) -> BookingRecord | None:
        """Take the slot if it is still free (see the module docstring); None if not.

        Raises :class:`StoreError` when nothing is set aside for the service × language."""
        with self._tx() as c:
            c.execute("UPDATE sites SET region=region WHERE id=?", (site_id,))
            locked = c.execute(
                "UPDATE booking_capacity SET updated_at=updated_at "
                "WHERE service_id=? AND language=?",
                (service_id, language),
            ).rowcount
            if not locked:
                raise StoreError(f"no booking capacity for {service_id}/{language}")
            cap_row = c.execute(
                "SELECT clerks FROM booking_capacity WHERE service_id=? AND language=?",
                (service_id, language),
            ).fetchone()
            overlapping = _overlapping(c, start_at, end_at)
            pool = sum(
                1 for b in overlapping if (b.service_id, b.language) == (service_id, language)
            )
            if pool >= int(cap_row[0]):
                return None
            if agent_id is not None and any(b.agent_id == agent_id for b in overlapping):
                return None
            kiosks = [
                str(r[0])
                for r in c.execute(
                    "SELECT id FROM kiosks WHERE site_id=? AND revoked_at IS NULL ORDER BY id",
                    (site_id,),
                ).fetchall()
            ]
            day = _bookings_between(c, start_at - 43200, end_at + 43200, site_id)
            kiosk = pick_kiosk(kiosks, day, start_at, end_at)
            if kiosk is None:
                return None
            booking = BookingRecord(
                new_id("bkg"),
                code_digest,
                code_hint,
                service_id,
                language,
                site_id,
                kiosk,
                start_at,
                end_at,
                agent_id,
                made_by,
                made_by_agent,
                "booked",
                now,
                now,
            )
            c.execute(
                "INSERT INTO bookings (id, code_digest, code_hint, service_id, language, "
                "site_id, kiosk_id, start_at, end_at, agent_id, made_by, made_by_agent, state, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                astuple(booking)[:15],  # the record's fields in the columns' order
            )
        return booking

    def booking(self, booking_id: str) -> BookingRecord | None:
        """A booking by id."""
        row = self._one("SELECT * FROM bookings WHERE id=?", (booking_id,))
        return None if row is None else from_row(BookingRecord, row)

    def booking_by_code(self, code_digest: str) -> BookingRecord | None:
        """A booking by the digest of its code."""
        row = self._one("SELECT * FROM bookings WHERE code_digest=?", (code_digest,))
        return None if row is None else from_row(BookingRecord, row)

    def bookings_between(
        self, start: float, end: float, site_id: str | None = None, *, active_only: bool = False
    ) -> list[BookingRecord]:
        """Bookings whose slot overlaps ``[start, end)``, optionally of one site, by start."""
        with self._tx(write=False) as c:
            found = _bookings_between(c, start, end, site_id)
        return [b for b in found if b.active] if active_only else found

    def update_booking(
        self,
        booking: BookingRecord,
        *,
        expect: Sequence[BookingState],
    ) -> BookingRecord | None:
        """Write ``booking``'s state and check-in/serving fields if its stored state is one of
        ``expect``; the stored record after, or None if it was not in such a state."""
        with self._tx() as c:
            changed = c.execute(
                "UPDATE bookings SET state=?, updated_at=?, checked_in_at=?, checked_in_kiosk=?, "
                "served_by=?, call_id=? WHERE id=? AND state IN (SELECT value FROM json_each(?))",
                (
                    booking.state,
                    booking.updated_at,
                    booking.checked_in_at,
                    booking.checked_in_kiosk,
                    booking.served_by,
                    booking.call_id,
                    booking.id,
                    to_json(list(expect)),
                ),
            ).rowcount
        return booking if changed else None

    def cancel_booking(self, booking_id: str, *, now: float) -> BookingRecord | None:
        """Cancel a booking that has not been served; the cancelled record, or None."""
        found = self.booking(booking_id)
        if found is None or found.state not in ("booked", "checked_in"):
            return None
        return self.update_booking(
            replace(found, state="cancelled", updated_at=now), expect=("booked", "checked_in")
        )

    def booking_counts(self, start: float, end: float) -> list[tuple[str, str, str, int]]:
        """``(site_id, service_id, state, count)`` of bookings whose slot starts in
        ``[start, end)`` (dashboard figures)."""
        rows = self._all(
            "SELECT site_id, service_id, state, COUNT(*) AS n FROM bookings "
            "WHERE start_at >= ? AND start_at < ? GROUP BY site_id, service_id, state "
            "ORDER BY site_id, service_id, state",
            (start, end),
        )
        return [(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def _overlapping(c: Conn, start: float, end: float) -> list[BookingRecord]:
    rows = c.execute(
        "SELECT * FROM bookings WHERE state IN (SELECT value FROM json_each(?)) "
        "AND start_at < ? AND end_at > ?",
        (_ACTIVE_JSON, end, start),
    ).fetchall()
    return [from_row(BookingRecord, r) for r in rows]


def _bookings_between(
    c: Conn, start: float, end: float, site_id: str | None
) -> list[BookingRecord]:
    rows = c.execute(
        "SELECT * FROM bookings WHERE start_at < ?1 AND end_at > ?2 "
        "AND (CAST(?3 AS TEXT) IS NULL OR site_id=?3) ORDER BY start_at, id",
        (end, start, site_id),
    ).fetchall()
    return [from_row(BookingRecord, r) for r in rows]


def _capacity(row: Row) -> Capacity:
    weekly: dict[str, Any] = json.loads(str(row["weekly"]))
    exceptions: dict[str, Any] = json.loads(str(row["exceptions"]))
    return Capacity(
        str(row["service_id"]),
        str(row["language"]),
        int(row["slot_minutes"]),
        int(row["clerks"]),
        weekly,
        exceptions,
        str(row["tz"]),
    )
