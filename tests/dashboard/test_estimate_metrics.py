"""Estimate accuracy in /metrics and the staffing history, from a real server over real sockets.

A citizen is told a wait, answered, and the first estimate is scored against the wait that
followed; meanwhile the monitor books the clerk's logged-in seconds for the staffing forecast.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.server.harness import running_server
from wire import client_messages as C
from wire import server_messages as S

SERVICE = "kela.benefits"


async def test_first_estimate_is_scored_in_metrics_and_clerks_are_booked(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data") as h, aiohttp.ClientSession() as http:
        kiosk_id = h.add_kiosk("nurmes", "Nurmes kiosk 1")
        h.add_agent("aino", [SERVICE], ["fi"])
        aino = await h.agent("aino")
        ready = asyncio.ensure_future(aino.wait_for(S.AgentStatus, lambda m: m.state == "ready"))
        aino.send(C.AgentStateSet(state="ready"))
        await ready
        kiosk = await h.kiosk(kiosk_id)
        offered = asyncio.ensure_future(aino.wait_for(S.Offer))
        told = await kiosk.request(C.QueueJoin(service=SERVICE, language="fi"))
        assert isinstance(told, S.QueuePosition)
        # One ready clerk: "about a minute", a number, not a promise of "soon".
        assert (told.estimated_wait_s, told.estimate_kind) == (60.0, "minutes")
        started = asyncio.ensure_future(kiosk.wait_for(S.CallStart))
        aino.send(C.OfferAccept(offer_id=(await offered).offer_id))
        await started

        (wait,) = h.ctx.store.waits_between(0, time.time() + 1)
        assert wait.answered and wait.waited_s is not None
        monitor = h.ctx.monitor
        monitor._slow_at = -1e18  # re-read today's figures at this step, not in 5 s
        monitor.step()
        async with http.get(f"{h.base_url}/metrics") as r:
            families = {f.name: f for f in text_string_to_metric_families(await r.text())}

        def value(name: str) -> float:
            (sample,) = [s for s in families[name].samples if s.labels["service"] == SERVICE]
            return sample.value

        assert value("etapiste_wait_estimate_abs_error_median_seconds") == pytest.approx(
            60.0 - wait.waited_s
        )
        assert value("etapiste_wait_estimate_within_2min_ratio") == 1.0
        assert value("etapiste_wait_estimates_scored_today") == 1
        assert value("etapiste_wait_estimate_soon_then_over_10min_today") == 0

        # The clerk's time is booked per hour for the forecast (flushed every minute; now).
        await asyncio.sleep(1.2)
        monitor.step()
        monitor.staffing.flush(h.ctx.clock())
        booked = h.ctx.store.staffing_between(0, time.time() + 3600)
        kela = [b for b in booked if (b.service_id, b.language) == (SERVICE, "fi")]
        assert kela and sum(b.logged_in_s for b in kela) >= 1.0
        assert sum(b.working_s for b in kela) == pytest.approx(sum(b.logged_in_s for b in kela))
