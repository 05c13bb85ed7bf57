"""The working day to simulate: who comes, for what, how long they stay, who answers.

Default day (documented figures, not measurements; change them here, not in the driver):

* **Services** and their opening hours, languages and ``default_handle_s`` come from
  ``deploy/catalogue.toml``; the day is Wednesday 2025-03-12 in Europe/Helsinki.
* **Sites**: fourteen joint service points without an agency clerk on site. Twelve are
  Finnish-speaking (language mix fi 93 %, en 6 %, sv 1 %), two Swedish-speaking
  (Kristinestad sv 60 % / fi 35 % / en 5 %, Närpes sv 80 % / fi 15 % / en 5 %); a language a
  service does not offer falls back to Finnish. Between 14 and 42 citizens a day per site,
  382 in all (fewer come: a service takes arrivals only while it is open).
* **Arrivals**: a Poisson process per service × language × site whose rate follows the hourly
  profile :data:`HOURLY` (share of a day's citizens arriving in each local hour; a mid-morning
  peak) times the service's share :data:`SERVICE_MIX`, only while the service is open.
* **Handle times**: lognormal per service with mean ``default_handle_s`` and log-sd
  :data:`HANDLE_SIGMA` (coefficient of variation about 0.66).
* **Patience**: lognormal, median :data:`PATIENCE_MEDIAN_S` (15 min), log-sd
  :data:`PATIENCE_SIGMA` (0.5; one in 70 gives up within 5 minutes): a citizen who came to
  the service point waits longer than a caller on the phone would, but not for ever.
* **Clerks**: the roster :data:`ROSTER`, 19 clerks of all nine services, several with more
  than one service or language, on full (07:50–16:20), morning or afternoon shifts, each
  with a 15-minute coffee break per half day and a 30-minute lunch on a full shift, at times
  spread by up to ±15 minutes.

With ``--data-dir`` the arrivals (per service × language × site × local hour, averaged over
the weekdays present), the handle-time lognormal per service (fitted to ``ended_at −
answered_at`` of answered calls; default where fewer than 10) and the patience (exponential,
fitted as the number who gave up over the total time waited; default where fewer than 5
gave up) are taken from the store's ``calls`` table, read read-only; the clerks are the
store's agent accounts with their skills and languages on full shifts, or the default
roster if there are none.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from signaling.catalogue import Catalogue, load_catalogue
from signaling.routing.hours import OpeningHours
from signaling.routing.model import ServiceRules

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "deploy" / "catalogue.toml"
TZ = "Europe/Helsinki"
DAY = dt.date(2025, 3, 12)  # a Wednesday (legal aid is closed on Tuesdays), not a holiday

HOURLY = {8: 0.05, 9: 0.14, 10: 0.18, 11: 0.15, 12: 0.11, 13: 0.13, 14: 0.12, 15: 0.10, 16: 0.02}
SERVICE_MIX = {
    "kela.benefits": 0.34,
    "vero.tax": 0.14,
    "te.employment": 0.12,
    "poliisi.permits": 0.09,
    "dvv.population": 0.08,
    "migri.permits": 0.08,
    "ulosotto.enforcement": 0.06,
    "oikeusapu.legal_aid": 0.05,
    "mml.property": 0.04,
}
FI_SITE = {"fi": 0.93, "en": 0.06, "sv": 0.01}
SITES: dict[str, tuple[int, dict[str, float]]] = {
    "nurmes": (36, FI_SITE),
    "lieksa": (42, FI_SITE),
    "kitee": (38, FI_SITE),
    "ilomantsi": (22, FI_SITE),
    "juuka": (20, FI_SITE),
    "kuhmo": (30, FI_SITE),
    "suomussalmi": (28, FI_SITE),
    "pello": (16, FI_SITE),
    "kemijarvi": (26, FI_SITE),
    "savukoski": (14, FI_SITE),
    "kannus": (18, FI_SITE),
    "ahtari": (20, FI_SITE),
    "kristinestad": (34, {"sv": 0.60, "fi": 0.35, "en": 0.05}),
    "narpes": (38, {"sv": 0.80, "fi": 0.15, "en": 0.05}),
}
HANDLE_SIGMA = 0.6
PATIENCE_MEDIAN_S = 900.0
PATIENCE_SIGMA = 0.5

FULL, MORNING, AFTERNOON = ("07:50", "16:20"), ("07:50", "12:30"), ("11:45", "16:20")
# (clerk id, services, languages, shift)
ROSTER: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, str]], ...] = (
    ("kela-1", ("kela.benefits",), ("fi", "sv"), FULL),
    ("kela-2", ("kela.benefits",), ("fi", "en"), FULL),
    ("kela-3", ("kela.benefits",), ("fi",), MORNING),
    ("kela-4", ("kela.benefits",), ("fi",), AFTERNOON),
    ("kela-5", ("kela.benefits",), ("fi", "sv", "en"), FULL),
    ("vero-1", ("vero.tax",), ("fi", "sv"), FULL),
    ("vero-2", ("vero.tax",), ("fi", "en"), FULL),
    ("vero-3", ("vero.tax",), ("fi",), ("10:00", "14:00")),
    ("te-1", ("te.employment",), ("fi", "en"), FULL),
    ("te-2", ("te.employment",), ("fi", "sv"), FULL),
    ("dvv-1", ("dvv.population", "poliisi.permits"), ("fi", "sv"), FULL),
    ("dvv-2", ("dvv.population", "poliisi.permits", "mml.property"), ("fi", "en"), FULL),
    ("migri-1", ("migri.permits",), ("fi", "en"), FULL),
    ("migri-2", ("migri.permits",), ("fi", "sv", "en"), FULL),
    ("mml-1", ("mml.property", "dvv.population"), ("fi", "sv"), FULL),
    ("oikeus-1", ("oikeusapu.legal_aid",), ("fi", "sv"), FULL),
    ("oikeus-2", ("oikeusapu.legal_aid",), ("fi",), MORNING),
    ("ulos-1", ("ulosotto.enforcement",), ("fi", "sv"), FULL),
    ("ulos-2", ("ulosotto.enforcement", "oikeusapu.legal_aid"), ("fi",), AFTERNOON),
)


@dataclass(frozen=True, slots=True)
class Clerk:
    """A clerk's day: skills, languages, shift and breaks (local epoch seconds)."""

    clerk_id: str
    skills: frozenset[str]
    languages: frozenset[str]
    start: float
    end: float
    breaks: tuple[tuple[float, float, str], ...]  # (planned start, duration s, reason)


@dataclass(frozen=True, slots=True)
class Lognormal:
    """A lognormal distribution by the mean and sd of its logarithm."""

    mu: float
    sigma: float

    @classmethod
    def with_mean(cls, mean: float, sigma: float) -> Lognormal:
        return cls(math.log(mean) - sigma * sigma / 2, sigma)

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma * self.sigma / 2)


@dataclass
class DayProfile:
    """Everything the driver needs to simulate one day."""

    day_start: float  # local midnight, epoch seconds
    services: dict[str, ServiceRules]
    languages: dict[str, tuple[str, ...]]
    # (service, language, site) -> {local hour: expected arrivals in that hour}
    rates: dict[tuple[str, str, str], dict[int, float]]
    handle: dict[str, Lognormal]
    patience: Lognormal | float  # lognormal, or the mean of an exponential
    clerks: list[Clerk]
    source: str
    notes: list[str] = field(default_factory=list)

    def at(self, clock: str) -> float:
        """Epoch seconds of local ``HH:MM`` on the simulated day."""
        hh, mm = clock.split(":")
        return self.day_start + int(hh) * 3600 + int(mm) * 60

    @property
    def expected_arrivals(self) -> float:
        """Arrivals expected while the services are open (checked every minute)."""
        total = 0.0
        for (service, _lang, _site), hours in self.rates.items():
            is_open = self.services[service].hours.is_open
            for hour, expected in hours.items():
                start = self.day_start + hour * 3600
                share = sum(is_open(start + 60 * m + 30) for m in range(60)) / 60
                total += expected * share
        return total


def _rules(catalogue: Catalogue) -> tuple[dict[str, ServiceRules], dict[str, tuple[str, ...]]]:
    rules: dict[str, ServiceRules] = {}
    languages: dict[str, tuple[str, ...]] = {}
    for s in catalogue.services:
        hours = OpeningHours(
            {day: [list(i) for i in spans] for day, spans in s.hours.weekly.items()},
            tz=s.hours.tz,
            closed_dates=[d.isoformat() for d in catalogue.closed_dates(s)],
        )
        rules[s.id] = ServiceRules(s.id, hours, s.max_queue, float(s.default_handle_s))
        languages[s.id] = tuple(s.languages)
    return rules, languages


def _midnight(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(TZ)).timestamp()


def _clerks(
    roster: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, str]], ...],
    day_start: float,
    seed: int,
) -> list[Clerk]:
    import random

    rng = random.Random(f"breaks-{seed}")

    def at(clock: str) -> float:
        hh, mm = clock.split(":")
        return day_start + int(hh) * 3600 + int(mm) * 60

    clerks = []
    for clerk_id, skills, langs, (start, end) in roster:
        t0, t1 = at(start), at(end)
        planned = [("10:00", 900.0, "break"), ("11:30", 1800.0, "lunch"), ("14:00", 900.0, "break")]
        breaks = []
        for clock, duration, reason in planned:
            when = at(clock) + rng.uniform(-900.0, 900.0)
            if t0 + 1800 < when and when + duration < t1 - 1800:
                if reason == "lunch" and t1 - t0 < 6 * 3600:
                    continue  # no lunch on a half-day shift
                breaks.append((when, duration + rng.uniform(-120.0, 180.0), reason))
        clerks.append(Clerk(clerk_id, frozenset(skills), frozenset(langs), t0, t1, tuple(breaks)))
    return clerks


def default_profile(seed: int) -> DayProfile:
    """The documented default day (see the module docstring)."""
    catalogue = load_catalogue(CATALOGUE)
    rules, languages = _rules(catalogue)
    day_start = _midnight(DAY)
    rates: dict[tuple[str, str, str], dict[int, float]] = {}
    for site, (daily, mix) in SITES.items():
        for service, share in SERVICE_MIX.items():
            for lang, lang_share in mix.items():
                target = lang if lang in languages[service] else "fi"
                hours = rates.setdefault((service, target, site), {})
                for hour, hour_share in HOURLY.items():
                    hours[hour] = hours.get(hour, 0.0) + daily * share * lang_share * hour_share
    handle = {
        sid: Lognormal.with_mean(r.default_handle_s, HANDLE_SIGMA) for sid, r in rules.items()
    }
    patience = Lognormal(math.log(PATIENCE_MEDIAN_S), PATIENCE_SIGMA)
    return DayProfile(
        day_start, rules, languages, rates, handle, patience, _clerks(ROSTER, day_start, seed),
        "default",
    )


def profile_from_data(data_dir: Path, seed: int) -> DayProfile:
    """A day fitted to the call records of a data directory (read-only; see module doc)."""
    path = data_dir / "etapiste.db"
    if not path.exists():
        raise SystemExit(f"{path}: no such database")
    base = default_profile(seed)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        calls = conn.execute(
            "SELECT service_id, language, site_id, queued_at, answered_at, ended_at, outcome "
            "FROM calls WHERE outcome IS NOT NULL AND outcome != 'refused'"
        ).fetchall()
        agents = conn.execute(
            "SELECT a.id, "
            "(SELECT group_concat(service_id) FROM agent_skills s WHERE s.account_id = a.id) "
            "AS skills, "
            "(SELECT group_concat(language) FROM agent_languages l WHERE l.account_id = a.id) "
            "AS languages FROM accounts a WHERE a.role = 'agent' AND a.disabled_at IS NULL "
            "ORDER BY a.id"
        ).fetchall()
    finally:
        conn.close()
    tz = ZoneInfo(TZ)
    counts: dict[tuple[str, str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    days: set[dt.date] = set()
    handles: dict[str, list[float]] = defaultdict(list)
    gave_up, waited = 0, 0.0
    for row in calls:
        if row["service_id"] not in base.services:
            continue
        local = dt.datetime.fromtimestamp(row["queued_at"], tz)
        if local.weekday() >= 5:
            continue
        days.add(local.date())
        counts[(row["service_id"], row["language"], row["site_id"])][local.hour] += 1
        if row["answered_at"] is not None:
            waited += max(0.0, row["answered_at"] - row["queued_at"])
            if row["ended_at"] is not None and row["ended_at"] > row["answered_at"]:
                handles[row["service_id"]].append(row["ended_at"] - row["answered_at"])
        elif row["outcome"] in ("abandoned", "cancelled") and row["ended_at"] is not None:
            gave_up += 1
            waited += max(0.0, row["ended_at"] - row["queued_at"])
    if not days:
        raise SystemExit(f"{path}: no weekday call records to fit a day to")
    rates = {key: {h: n / len(days) for h, n in hours.items()} for key, hours in counts.items()}
    handle = dict(base.handle)
    notes = [f"{len(calls)} call records over {len(days)} weekdays"]
    for service, samples in handles.items():
        if len(samples) >= 10:
            logs = [math.log(x) for x in samples]
            handle[service] = Lognormal(statistics.fmean(logs), statistics.pstdev(logs) or 0.1)
        else:
            notes.append(f"{service}: {len(samples)} handle times, default kept")
    patience: Lognormal | float = base.patience
    if gave_up >= 5:
        patience = waited / gave_up
    else:
        notes.append(f"{gave_up} citizens gave up: default patience kept")
    clerks = base.clerks
    roster = tuple(
        (a["id"], tuple((a["skills"] or "").split(",")), tuple((a["languages"] or "").split(",")),
         FULL)
        for a in agents
        if a["skills"] and a["languages"]
    )
    if roster:
        clerks = _clerks(roster, base.day_start, seed)
    else:
        notes.append("no agent accounts: default roster")
    return DayProfile(
        base.day_start, base.services, base.languages, rates, handle, patience, clerks,
        str(data_dir), notes,
    )
