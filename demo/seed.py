"""Demo data for ``make demo``, benchmarks and tests: :func:`seed` makes a fresh data
directory with the Nurmes and Lieksa kiosks, two agents, an operator and an admin."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher

from signaling.catalogue import load_catalogue
from signaling.credentials import hash_password
from signaling.store import SqliteStore
from signaling.store.records import Role

__all__ = [
    "ADMIN", "AGENTS", "INTERPRETER", "MEMBER_STAFF", "OPERATOR", "SIGN_INTERPRETER", "STAFF",
    "SUPERVISOR", "DemoAccount", "DemoSetup", "seed",
]


@dataclass(frozen=True)
class DemoAccount:
    """A demo agent's login."""

    username: str
    password: str
    name: str
    skills: tuple[str, ...]
    languages: tuple[str, ...]


AGENTS = (
    DemoAccount(
        "aino",
        "demo-aino-2026",
        "Aino Virtanen",
        ("kela.benefits", "vero.tax", "dvv.population"),
        ("fi", "sv"),
    ),
    DemoAccount(
        "erik",
        "demo-erik-2026",
        "Erik Lindholm",
        ("kela.benefits", "te.employment", "migri.permits"),
        ("fi", "sv", "en"),
    ),
)
INTERPRETER = DemoAccount("hodan", "demo-hodan-2026", "Hodan Warsame", (), ("fi", "sv", "en"))
"""Interprets Somali and Arabic (interpreters' pools ``so`` and ``ar``)."""
SIGN_INTERPRETER = DemoAccount("sanna", "demo-sanna-2026", "Sanna Viittomakieli", (), ("fi",))
"""Interprets Finnish sign language (pool ``fi-sign``)."""
SUPERVISOR = DemoAccount("eeva", "demo-eeva-2026", "Eeva Esimies", (), ("fi", "sv"))
"""Supervises team ``kela-north`` (Aino and Erik)."""
MEMBER_STAFF = (INTERPRETER, SIGN_INTERPRETER, SUPERVISOR)
"""Staff who join other clerks' calls (issue 15)."""
_PROFILES: dict[str, tuple[str | None, bool, tuple[str, ...]]] = {
    "aino": ("kela-north", False, ()),
    "erik": ("kela-north", False, ()),
    "hodan": (None, False, ("so", "ar")),
    "sanna": (None, False, ("fi-sign",)),
    "eeva": ("kela-north", True, ()),
}
"""Team, supervisor flag and interpretation languages by username."""
OPERATOR = DemoAccount("operaattori", "demo-operator-2026", "Olli Operaattori", (), ("fi",))
ADMIN = DemoAccount("yllapito", "demo-admin-2026", "Ada Ylläpitäjä", (), ("fi",))
STAFF: tuple[tuple[DemoAccount, Role], ...] = (
    *((acc, "agent") for acc in (*AGENTS, *MEMBER_STAFF)), (OPERATOR, "operator"),
    (ADMIN, "admin"),
)
"""Every demo account with its role."""


@dataclass(frozen=True)
class DemoSetup:
    """What :func:`seed` created: where the data is and the credentials to use."""

    data_dir: Path
    kiosk_tokens: dict[str, str]
    agents: tuple[DemoAccount, ...]


def seed(data_dir: Path, catalogue: Path, hasher: PasswordHasher | None = None) -> DemoSetup:
    """Create a fresh store with Nurmes and Lieksa kiosks, two agents, an operator and an
    admin; passwords hashed by ``hasher`` (argon2id at the production cost when None)."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    store = SqliteStore.open(data_dir)
    try:
        now = time.time()
        store.seed_catalogue(load_catalogue(catalogue), now=now)
        tokens: dict[str, str] = {}
        for site_id, kiosk_name in (("nurmes", "Nurmes kiosk 1"), ("lieksa", "Lieksa kiosk 1")):
            kiosk_id, token = store.create_kiosk(site_id, kiosk_name, now=now)
            tokens[kiosk_id] = token
            store.audit("admin:demo", "kiosk_add", kiosk_id, {"site": site_id}, now=now)
        for acc, role in STAFF:
            account_id = store.create_account(
                acc.username, acc.name, role, hash_password(acc.password, hasher), list(acc.skills),
                list(acc.languages), now=now,
            )
            if acc.username in _PROFILES:
                team, supervisor, langs = _PROFILES[acc.username]
                store.set_staff_profile(account_id, team=team, supervisor=supervisor,
                                        interpretation_languages=langs)
    finally:
        store.close()
    return DemoSetup(data_dir, tokens, AGENTS)
