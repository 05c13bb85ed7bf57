"""The admin page's section for appointments: the clerk time set aside per service × language
(weekly pattern, slot length, clerks at once) and single-day exceptions. Its forms post to
:mod:`signaling.web_admin`, which calls :mod:`signaling.booking_admin`."""

from __future__ import annotations

from signaling.admin import format_weekly
from signaling.catalogue import Catalogue
from signaling.dashboard_pages import e
from signaling.dashboard_texts import Texts
from signaling.store import Store

__all__ = ["booking_section"]


def booking_section(t: Texts, store: Store, catalogue: Catalogue, csrf: str) -> str:
    """The section's HTML."""
    names = {s.id: s.names.get(t.lang) for s in catalogue.services}
    lang_names = {lang: t.t(f"language.{lang}") for lang in ("fi", "sv", "en")}
    options = "".join(
        f'<option value="{e(s.id)}:{lang}">{e(names[s.id])} – {e(lang_names[lang])}</option>'
        for s in catalogue.services for lang in s.languages
    )
    hidden = f'<input type="hidden" name="csrf" value="{csrf}">'
    rows = []
    for cap in store.capacities():
        label = f"{names.get(cap.service_id, cap.service_id)} – {lang_names.get(cap.language)}"
        extra = ", ".join(
            f"{day} {','.join(f'{a}-{b}' for a, b in spans) or '–'}"
            for day, spans in sorted(cap.exceptions.items())
        )
        rows.append(
            f"<tr><td>{e(label)}<br><small>{e(extra)}</small></td><td>"
            '<form method="post" action="/dashboard/admin/booking-capacity" class="inline">'
            f'{hidden}<input type="hidden" name="q" value="{e(cap.service_id)}:{cap.language}">'
            f'<input name="weekly" size="56" value="{e(format_weekly(cap.weekly))}" '
            f'aria-label="{e(t.t("admin.booking_weekly"))}">'
            f'<input name="slot_minutes" type="number" min="5" max="240" class="narrow" '
            f'value="{cap.slot_minutes}" aria-label="{e(t.t("admin.booking_slot"))}">'
            f'<input name="clerks" type="number" min="0" max="50" class="narrow" '
            f'value="{cap.clerks}" aria-label="{e(t.t("admin.booking_clerks"))}">'
            f'<button>{e(t.t("admin.save"))}</button></form></td></tr>'
        )
    if not rows:
        rows.append(f'<tr><td colspan="2" class="muted">{e(t.t("admin.booking_none"))}</td></tr>')
    return (
        f'<section><h2>{e(t.t("admin.booking_title"))}</h2>'
        f'<p class="muted">{e(t.t("admin.booking_hint"))}</p>'
        f'<table class="grid" id="booking-capacity"><thead><tr>'
        f'<th>{e(t.t("admin.service"))}</th>'
        f'<th>{e(t.t("admin.booking_weekly"))} · {e(t.t("admin.booking_slot"))} · '
        f'{e(t.t("admin.booking_clerks"))}</th></tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table>"
        '<form method="post" action="/dashboard/admin/booking-capacity">'
        f'{hidden}<label>{e(t.t("admin.service"))} <select name="q">{options}</select></label> '
        f'<label>{e(t.t("admin.booking_weekly"))} <input name="weekly" size="30" '
        'placeholder="tue=09:00-12:00" required></label> '
        f'<label>{e(t.t("admin.booking_slot"))} <input name="slot_minutes" type="number" '
        'min="5" max="240" value="30" class="narrow"></label> '
        f'<label>{e(t.t("admin.booking_clerks"))} <input name="clerks" type="number" min="0" '
        'max="50" value="1" class="narrow"></label> '
        f'<button>{e(t.t("admin.booking_add"))}</button></form>'
        '<form method="post" action="/dashboard/admin/booking-exception">'
        f'{hidden}<label>{e(t.t("admin.service"))} <select name="q">{options}</select></label> '
        f'<label>{e(t.t("admin.booking_day"))} <input name="day" type="date" required></label> '
        f'<label>{e(t.t("admin.booking_spans"))} <input name="spans" size="20" '
        'placeholder="09:00-11:00"></label> '
        f'<button>{e(t.t("admin.booking_except"))}</button></form></section>'
    )
