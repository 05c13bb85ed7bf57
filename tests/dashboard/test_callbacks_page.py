"""Callbacks promised and kept (issue 14), per service point and service: the figures from
stored records, and the dashboard page in Finnish, Swedish and English over real HTTP."""

from __future__ import annotations

import re
import time
from pathlib import Path

from signaling.callback_report import callback_rows
from signaling.store import Store
from signaling.store.callbacks import CallbackRecord
from tests.dashboard.helpers import form_login, http_session
from tests.server.harness import PASSWORD, running_server

T0 = 1_750_000_000.0


def record(cid: str, site: str, service: str, state: str, ended_after: float | None,
           at: float = T0) -> CallbackRecord:
    due = at + 4 * 3600
    ended = None if ended_after is None else at + ended_after
    return CallbackRecord(cid, service, "fi", site, None, at, "2025-06-15", due, 1, None, state,
                          None, None, ended)


SAMPLE = [
    record("a", "nurmes", "kela.benefits", "done", 3600),        # kept
    record("b", "nurmes", "kela.benefits", "done", 5 * 3600),    # done after the day: late
    record("c", "nurmes", "kela.benefits", "unreached", 7200),
    record("d", "nurmes", "kela.benefits", "expired", 4 * 3600),  # nobody called: not kept
    record("e", "nurmes", "kela.benefits", "open", None),
    record("f", "lieksa", "vero.tax", "done", 600),
]


def test_kept_is_done_before_the_promised_day_ended() -> None:
    rows = {(r.site_id, r.service_id): r for r in callback_rows(SAMPLE)}
    nurmes = rows["nurmes", "kela.benefits"]
    assert (nurmes.promised, nurmes.kept, nurmes.late, nurmes.unreached, nurmes.expired,
            nurmes.open) == (5, 1, 1, 1, 1, 1)
    assert nurmes.kept_share == 0.25  # of the four that are over
    assert rows["lieksa", "vero.tax"].kept_share == 1.0
    assert callback_rows([record("x", "nurmes", "kela.benefits", "open", None)])[0].kept_share \
        is None


def _seed(store: Store, now: float) -> None:
    for r in SAMPLE:
        store.add_callback(
            CallbackRecord(r.id, r.service_id, r.language, r.site_id, None, now - 3600,
                           r.promised_day, now - 3600 + 4 * 3600, 0, None, "open", None, None,
                           None), "+358401234567", now=now - 3600)
        if r.state != "open":
            assert r.ended_at is not None
            store.end_callback(r.id, r.state, attempts=1, agent_id=None,
                               at=now - 3600 + (r.ended_at - T0))


async def test_the_page_shows_promised_and_kept_per_site_and_service(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h:
        _seed(h.ctx.store, time.time())
        h.add_agent("olli", [], [], role="operator")
        async with http_session() as http:
            await form_login(http, h.base_url, "olli", PASSWORD)
            seen = {}
            for lang, title, kept in (("fi", "Luvatut ja pidetyt soittopyynnöt", "Pidetty"),
                                      ("sv", "Utlovade och hållna uppringningar", "Hållna"),
                                      ("en", "Callbacks promised and kept", "Kept")):
                async with http.get(f"{h.base_url}/dashboard/language/{lang}",
                                    params={"next": "/dashboard/callbacks"}) as r:
                    assert r.status == 200
                    page = await r.text()
                seen[lang] = page
                assert title in page and f">{kept}</th>" in page
                assert "358401234567" not in page  # numbers are never on the dashboard
            table = seen["en"].split('id="callbacks-table"', 1)[1]
            rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td>((?:<td[^>]*>[^<]*</td>)+)",
                              table)
            cells = {(site, svc): re.findall(r">([^<]*)</td>", rest) for site, svc, rest in rows}
            nurmes = next(v for (site, _svc), v in cells.items() if site.startswith("Nurmes"))
            assert nurmes == ["5", "1", "1", "1", "1", "1", "25 %"], nurmes
