"""Names and rules of services, sites, kiosks and agents, as the hub shows them to clients.

Built from the catalogue file and the store; kiosk and agent labels are cached because they
go into every offer, and refreshed when an administrator changes them.  For a language no clerk
gives a service in now, :mod:`signaling.outlook` says when it is expected.
"""

from __future__ import annotations

from signaling.catalogue import Catalogue
from signaling.outlook import LanguageOutlook
from signaling.routing.hours import OpeningHours
from signaling.routing.model import ServiceRules
from signaling.routing.router import Router
from signaling.store import Store
from signaling.text_rules import fit_for_wire
from wire import server_messages as S
from wire.types import LANGUAGES, Names


class Directory:
    """Read-mostly lookups for the hub."""

    def __init__(self, catalogue: Catalogue, store: Store, *, always_open: bool = False) -> None:
        self.catalogue = catalogue
        self.store = store
        self.always_open = always_open
        self._kiosks: dict[str, tuple[str, S.SiteRef | None]] = {}
        self._agents: dict[str, str] = {}
        self.outlook = LanguageOutlook(store.staffing_between)

    def service_rules(self) -> dict[str, ServiceRules]:
        """The routing rules of every catalogue service."""
        rules: dict[str, ServiceRules] = {}
        for service in self.catalogue.services:
            hours = (
                OpeningHours.always()
                if self.always_open
                else OpeningHours(
                    {day: [list(i) for i in spans] for day, spans in service.hours.weekly.items()},
                    tz=service.hours.tz,
                    closed_dates=[d.isoformat() for d in self.catalogue.closed_dates(service)],
                )
            )
            rules[service.id] = ServiceRules(
                service_id=service.id,
                hours=hours,
                max_queue=service.max_queue,
                default_handle_s=float(service.default_handle_s),
            )
        return rules

    def service_languages(self, service_id: str) -> tuple[str, ...] | None:
        """The languages a catalogue service serves (None: not in the catalogue)."""
        service = self.catalogue.service(service_id)
        return None if service is None else tuple(service.languages)

    def services(self, now: float, router: Router) -> list[S.ServiceInfo]:
        """Every service with whether it is open now and who serves which language."""
        rules = router.services
        estimates = {(q.service_id, q.language): q for q in router.queue_stats(now)}
        out = []
        for service in self.catalogue.services:
            rule = rules[service.id]
            agency = self.catalogue.agency(service.agency)
            is_open = rule.hours.is_open(now)
            available = sorted(
                router.languages_available(service.id, now) & set(service.languages)
            )
            waits: dict[str, float | None] = {}
            kinds: dict[str, str] = {}
            for lang in available:
                stat = estimates.get((service.id, lang))
                # What a citizen who joined now would be told: the place after the last.
                told = router.wait_estimate(service.id, lang, (stat.waiting if stat else 0) + 1)
                waits[lang], kinds[lang] = told.shown_s, told.kind
            expected: dict[str, float] = {}
            for lang in service.languages:
                if lang not in available:
                    when = self.outlook.expected_at(service.id, lang, now, rule.hours)
                    if when is not None:
                        expected[lang] = when
            out.append(
                S.ServiceInfo(
                    id=service.id,
                    agency=service.agency,
                    names=Names(**service.names.model_dump()),
                    agency_names=Names(**agency.names.model_dump())
                    if agency
                    else Names(fi=service.agency, sv=service.agency, en=service.agency),
                    languages=[lang for lang in LANGUAGES if lang in service.languages],
                    open=is_open,
                    next_opening=None if is_open else rule.hours.next_opening(now),
                    languages_available=available,  # type: ignore[arg-type]
                    estimated_wait_s=waits,  # type: ignore[arg-type]
                    estimate_kind=kinds,  # type: ignore[arg-type]
                    language_expected_at=expected,  # type: ignore[arg-type]
                )
            )
        return out

    def site_ref(self, site_id: str) -> S.SiteRef | None:
        """A site's id and names, from the store (sites may be added after the catalogue)."""
        site = self.store.site(site_id)
        if site is None:
            return None
        return S.SiteRef(id=site.id, names=Names(fi=site.name_fi, sv=site.name_sv, en=site.name_en))

    def hearing_loop(self, site_id: str | None) -> bool:
        """Whether the site has a hearing loop (its kiosks show the sign)."""
        site = self.store.site(site_id) if site_id else None
        return site is not None and site.hearing_loop

    def kiosk_label(self, kiosk_id: str) -> tuple[str, S.SiteRef | None]:
        """A kiosk's display name and site."""
        cached = self._kiosks.get(kiosk_id)
        if cached is None:
            kiosk = self.store.kiosk(kiosk_id)
            if kiosk is None:
                cached = (kiosk_id, None)
            else:
                cached = (fit_for_wire(kiosk.name), self.site_ref(kiosk.site_id))
            self._kiosks[kiosk_id] = cached
        return cached

    def agent_name(self, agent_id: str) -> str:
        """An agent's display name as citizens see it."""
        name = self._agents.get(agent_id)
        if name is None:
            account = self.store.account(agent_id)
            name = fit_for_wire(account.display_name) if account else agent_id
            self._agents[agent_id] = name
        return name

    def forget(self) -> None:
        """Drop cached labels after an administrative change."""
        self._kiosks.clear()
        self._agents.clear()
