"""Sites (joint service points) and their kiosks, with the kiosks' device tokens as hashes."""

from __future__ import annotations

import dataclasses
import hmac

from signaling.credentials import DEVICE_TOKEN_PREFIX, hash_token, new_device_token
from signaling.errors import StoreError
from signaling.store.db import Row, SqlAggregate, from_row, new_id
from signaling.store.records import KioskRecord, SiteRecord
from signaling.store.revocations import record_revocation
from signaling.text_rules import (
    KIOSK_NAME_MAX,
    REGION_MAX,
    SITE_NAME_MAX,
    TextRejected,
    check_name,
)

__all__ = ["SitesSql"]


class SitesSql(SqlAggregate):
    """Sites and kiosks."""

    def create_site(
        self, site_id: str, name_fi: str, name_sv: str, name_en: str, region: str, *, now: float
    ) -> SiteRecord:
        """Add a site that is not in the catalogue."""
        try:
            fi, sv, en = (check_name(n, "site name", SITE_NAME_MAX)
                          for n in (name_fi, name_sv, name_en))
            region = check_name(region, "region", REGION_MAX, required=False)
        except TextRejected as exc:
            raise StoreError(f"invalid {exc}") from exc
        site = SiteRecord(site_id, fi, sv, en, region, now)
        with self._tx() as c:
            c.execute(
                "INSERT INTO sites (id, name_fi, name_sv, name_en, region, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                dataclasses.astuple(site)[:6],
            )
        return site

    def site(self, site_id: str) -> SiteRecord | None:
        """The site with ``site_id``, or None."""
        row = self._one("SELECT * FROM sites WHERE id=?", (site_id,))
        return None if row is None else _site(row)

    def sites(self) -> list[SiteRecord]:
        """All sites, by id."""
        return [_site(r) for r in self._all("SELECT * FROM sites ORDER BY id")]

    def set_site_hearing_loop(self, site_id: str, hearing_loop: bool) -> bool:
        """Record whether the site has a hearing loop. False if there is no such site."""
        return self._changed(
            "UPDATE sites SET hearing_loop=? WHERE id=?", (int(hearing_loop), site_id)
        )

    def create_kiosk(self, site_id: str, name: str, *, now: float) -> tuple[str, str]:
        """Register a kiosk at ``site_id``. Returns ``(kiosk_id, token)``; the token is shown
        this once and only its hash is kept."""
        try:
            name = check_name(name, "kiosk name", KIOSK_NAME_MAX)
        except TextRejected as exc:
            raise StoreError(f"invalid {exc}") from exc
        kiosk_id, token = new_id("kio"), new_device_token()
        with self._tx() as c:
            c.execute(
                "INSERT INTO kiosks (id, site_id, name, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (kiosk_id, site_id, name, hash_token(token), now),
            )
        return kiosk_id, token

    def rotate_kiosk_token(self, kiosk_id: str, *, now: float) -> str:
        """Give an unrevoked kiosk a new token (returned once); the old one stops working, and
        a connection made with it is closed."""
        token = new_device_token()
        with self._tx() as c:
            row = c.execute(
                "SELECT token_hash FROM kiosks WHERE id=? AND revoked_at IS NULL", (kiosk_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"no active kiosk {kiosk_id!r}")
            c.execute("UPDATE kiosks SET token_hash=? WHERE id=?", (hash_token(token), kiosk_id))
            record_revocation(c, "kiosk_token", str(row[0]), "revoked", now)
        return token

    def kiosk_by_token(self, token: str) -> KioskRecord | None:
        """The unrevoked kiosk owning ``token``, or None."""
        if not token.startswith(DEVICE_TOKEN_PREFIX) or len(token) > 256:
            return None
        digest = hash_token(token)
        row = self._one("SELECT * FROM kiosks WHERE token_hash=? AND revoked_at IS NULL", (digest,))
        if row is None or not hmac.compare_digest(str(row["token_hash"]), digest):
            return None
        return from_row(KioskRecord, row)

    def kiosk(self, kiosk_id: str) -> KioskRecord | None:
        """The kiosk with ``kiosk_id`` (revoked or not), or None."""
        row = self._one("SELECT * FROM kiosks WHERE id=?", (kiosk_id,))
        return None if row is None else from_row(KioskRecord, row)

    def revoke_kiosk(self, kiosk_id: str, *, now: float) -> bool:
        """Revoke a kiosk's token for good. False if unknown or already revoked."""
        with self._tx() as c:
            changed = c.execute(
                "UPDATE kiosks SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
                (now, kiosk_id),
            ).rowcount
            if changed:
                record_revocation(c, "kiosk", kiosk_id, "revoked", now)
        return changed > 0

    def list_kiosks(self, site_id: str | None = None) -> list[KioskRecord]:
        """Kiosks (including revoked ones), optionally of one site, by site and name."""
        rows = self._all(
            "SELECT * FROM kiosks WHERE CAST(?1 AS TEXT) IS NULL OR site_id=?1 "
            "ORDER BY site_id, name, id",
            (site_id,),
        )
        return [from_row(KioskRecord, r) for r in rows]

    def kiosks_changed_mark(self) -> tuple[object, ...]:
        """A value that changes whenever a site or kiosk is added, renamed or revoked: lets a
        watcher re-read the lists only then (one indexed aggregate, not every row)."""
        row = self._one(
            "SELECT (SELECT COUNT(*) FROM kiosks), (SELECT MAX(created_at) FROM kiosks), "
            "(SELECT MAX(revoked_at) FROM kiosks), (SELECT COUNT(revoked_at) FROM kiosks), "
            "(SELECT COUNT(*) FROM sites)",
            (),
        )
        return tuple(row[i] for i in range(5)) if row is not None else ()


def _site(row: Row) -> SiteRecord:
    return from_row(SiteRecord, row, hearing_loop=bool(row["hearing_loop"]))
