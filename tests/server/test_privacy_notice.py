"""The kiosk's privacy notice says exactly what the server keeps about a visit and for how
long, in Finnish, Swedish and English (issue 12: "The kiosk's privacy notice says only time,
service, duration and rating are kept, while the store keeps site, kiosk, language, clerk,
disposition, a free-text note and quality figures").

The data map is :mod:`signaling.privacy`; this test ties it to the database and to the notice:
a new column of ``calls``, ``queue_entries``, ``waits`` or ``shown_estimates`` without a line
there fails, and so does a fact
or a period the notice does not state in every language.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from signaling.privacy import (
    FACT_PERIOD,
    GONE_WITH_THE_VISIT,
    INTERNAL,
    SHOWN_ESTIMATES,
    VISIT_RECORD,
    WAIT_RECORD,
)
from signaling.settings import Settings
from signaling.store import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("fi", "sv", "en")

# How each fact reads in the notice (a phrase that must appear, case-insensitively), and in
# which of its points.
SAYS: dict[str, dict[str, tuple[str, str]]] = {
    "times": {"fi": ("point_kept", "milloin tulit ja kauanko odotit ja puhuit"),
              "sv": ("point_kept", "när du kom och hur länge du väntade och talade"),
              "en": ("point_kept", "when you came and how long you waited and talked")},
    "estimate": {"fi": ("point_kept", "mitkä odotusajat sinulle näytettiin"),
                 "sv": ("point_kept", "vilka väntetider som visades för dig"),
                 "en": ("point_kept", "the waiting times you were shown")},
    "place": {"fi": ("point_kept", "asiointipiste ja laite"),
              "sv": ("point_kept", "serviceställe och terminal"),
              "en": ("point_kept", "service point and kiosk")},
    "service": {"fi": ("point_kept", "palvelu ja kieli"),
                "sv": ("point_kept", "tjänsten och språket"),
                "en": ("point_kept", "the service and language")},
    "clerk": {"fi": ("point_kept", "kuka virkailija palveli"),
              "sv": ("point_kept", "vilken handläggare som betjänade dig"),
              "en": ("point_kept", "which clerk served you")},
    "ending": {"fi": ("point_kept", "miten puhelu päättyi"),
               "sv": ("point_kept", "hur samtalet slutade"),
               "en": ("point_kept", "how the call ended")},
    "outcome": {"fi": ("point_kept", "lopputulos"),
                "sv": ("point_kept", "resultat"),
                "en": ("point_kept", "outcome")},
    "quality": {"fi": ("point_kept", "puhelun laatu"),
                "sv": ("point_kept", "samtalets kvalitet"),
                "en": ("point_kept", "call quality")},
    "rating": {"fi": ("point_kept", "antamasi arvio"),
               "sv": ("point_kept", "ditt betyg"),
               "en": ("point_kept", "your rating")},
    "note": {"fi": ("point_clerk", "lyhyt muistiinpano"),
             "sv": ("point_clerk", "kort anteckning"),
             "en": ("point_clerk", "short note")},
    "saved_photo": {"fi": ("point_photos", "tallentaa kuvan"),
                    "sv": ("point_photos", "sparar fotot"),
                    "en": ("point_photos", "saves it")},
}
YEARS = {"fi": "vuo", "sv": "år", "en": "year"}
DAYS = {"fi": "päiv", "sv": "dag", "en": "day"}


def notice(lang: str) -> dict[str, str]:
    with (ROOT / "kiosk" / "i18n" / f"{lang}.toml").open("rb") as f:
        section: dict[str, str] = tomllib.load(f)["privacy"]
    return section


def period_pattern(days: int, lang: str) -> str:
    """``2 vuotta`` / ``2 år`` / ``2 years`` for whole years, else ``30 päivän`` etc."""
    if days % 365 == 0:
        return rf"\b{days // 365}\s+{YEARS[lang]}"
    return rf"\b{days}\s+{DAYS[lang]}"


def columns(store: SqliteStore, table: str) -> set[str]:
    rows = store._db.conn.execute(f"PRAGMA table_info({table})").fetchall()
    return {str(r["name"]) for r in rows}


def test_every_stored_column_of_a_visit_is_in_the_data_map(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path)
    try:
        assert columns(store, "calls") == set(VISIT_RECORD), (
            "a column of calls is missing from signaling.privacy.VISIT_RECORD (and so from "
            "the kiosk's privacy notice), or one listed there is gone"
        )
        assert columns(store, "queue_entries") == set(GONE_WITH_THE_VISIT)
        assert columns(store, "waits") == set(WAIT_RECORD)
        assert columns(store, "shown_estimates") == set(SHOWN_ESTIMATES)
    finally:
        store.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_notice_states_every_fact_and_its_period(lang: str) -> None:
    texts = notice(lang)
    mapped = (VISIT_RECORD, GONE_WITH_THE_VISIT, WAIT_RECORD, SHOWN_ESTIMATES)
    facts = set().union(*(m.values() for m in mapped)) - {INTERNAL}
    facts |= {"saved_photo"}
    assert facts == set(SAYS), "a fact without words in the notice (see SAYS)"
    defaults = Settings()
    for fact in sorted(facts):
        point, phrase = SAYS[fact][lang]
        assert phrase.lower() in texts[point].lower(), (lang, fact, point)
        days = getattr(defaults, FACT_PERIOD[fact])
        assert re.search(period_pattern(days, lang), texts[point], re.IGNORECASE), (
            f"{lang}: {point} must say the period of {fact} ({days} days)"
        )
