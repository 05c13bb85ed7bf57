"""Alert texts an operator reads at a glance, in Finnish, Swedish and English.

The monitor renders every alert in each language into the dashboard snapshot (one snapshot
serves every operator, whatever language each chose); the wording is the ``[alert]`` table of
the dashboard catalogues, the names are the official ones in each language (services from the
catalogue, joint service points from the store).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from signaling.dashboard_texts import Texts, texts
from signaling.store.records import AlertRecord
from wire.types import LANGUAGES, Language

__all__ = ["AlertNames", "alert_text", "alert_texts"]


@dataclass(frozen=True, slots=True)
class AlertNames:
    """The names an alert mentions, each ``{language: name}`` where it has translations."""

    kiosk: str | None = None
    """The kiosk's own name (given by the operator who provisioned it; not translated)."""
    site: Mapping[str, str] = field(default_factory=dict)
    service: Mapping[str, str] = field(default_factory=dict)


def _kiosk(t: Texts, subject: str, names: AlertNames) -> str:
    if names.kiosk is None:
        return subject
    site = t.name(names.site, "")
    return t.t("alert.kiosk_at_site", kiosk=names.kiosk, site=site) if site else names.kiosk


def alert_text(t: Texts, a: AlertRecord, names: AlertNames) -> str:
    """One alert as a line in ``t``'s language."""
    if a.kind == "device_fault":
        kiosk_id, _, device = a.subject.partition("/")
        status = str(a.detail.get("status", ""))
        return t.t(
            "alert.device_fault", device=t.label("device_name", device),
            status=t.label("device", status), kiosk=_kiosk(t, kiosk_id, names),
        )
    if a.kind in ("long_wait", "language_unserved"):
        service_id, _, language = a.subject.partition("/")
        service = t.name(names.service, service_id)
        if a.kind == "language_unserved":
            return t.t("alert.language_unserved", service=service, language=t.language(language))
        minutes = float(str(a.detail.get("threshold_s", 0))) / 60
        return t.t(
            "alert.long_wait", minutes=f"{minutes:.0f}", service=service,
            language=t.language(language),
        )
    if a.kind == "call_failures":
        count = a.detail.get("failed", "")
        return t.t("alert.call_failures", count=count, kiosk=_kiosk(t, a.subject, names))
    if a.kind == "kiosk_offline":
        return t.t("alert.kiosk_offline", kiosk=_kiosk(t, a.subject, names))
    return f"{a.kind}: {a.subject}"


def alert_texts(a: AlertRecord, names: AlertNames) -> dict[Language, str]:
    """The alert's line in every dashboard language."""
    return {lang: alert_text(texts(lang), a, names) for lang in LANGUAGES}
