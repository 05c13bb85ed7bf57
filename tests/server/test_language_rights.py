"""A Swedish citizen, only a Finnish clerk at work: the kiosk learns what exists and when."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from client_core.errors import ServerRefused
from signaling.routing.model import RouterConfig
from tests.server.harness import running_server
from tests.server.staffing import seed_habit, usual_start
from wire import client_messages as C
from wire import server_messages as S
from wire.errors import ErrorCode


async def test_swedish_kiosk_gets_the_finnish_wait_and_when_swedish_is_expected(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path / "data") as h:
        kiosk_id = h.add_kiosk("nurmes", "Nurmes 1")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        now = time.time()
        expected = usual_start(now)
        # A Swedish-speaking clerk has usually been at work from then on (the staffing history).
        seed_habit(h.ctx.store, "kela.benefits", "sv", now, expected)
        aino = await h.agent("aino")
        ready = asyncio.ensure_future(aino.wait_for(S.AgentStatus, lambda m: m.state == "ready"))
        aino.send(C.AgentStateSet(state="ready"))
        await ready
        kiosk = await h.kiosk(kiosk_id)

        services = await kiosk.request(C.ServicesGet())
        assert isinstance(services, S.Services)
        kela = next(s for s in services.services if s.id == "kela.benefits")
        assert kela.languages_available == ["fi"]
        finnish_wait = kela.estimated_wait_s["fi"]
        assert set(kela.estimated_wait_s) == {"fi"} and finnish_wait
        assert kela.language_expected_at == {"sv": expected}
        # English is offered too, but nobody has ever served it: left out, not guessed.
        assert "en" in kela.languages and "en" not in kela.language_expected_at
        vero = next(s for s in services.services if s.id == "vero.tax")
        assert vero.languages_available == [] and vero.language_expected_at == {}

        # Swedish is refused with the languages that are served; Finnish is open.
        try:
            await kiosk.request(C.QueueJoin(service="kela.benefits", language="sv"))
        except ServerRefused as exc:
            assert exc.code == ErrorCode.LANGUAGE_UNAVAILABLE
            assert exc.languages_available == ["fi"]
        else:
            raise AssertionError("a Swedish queue with no Swedish clerk was joined")
        place = await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        assert isinstance(place, S.QueuePosition) and place.language == "fi"
        # The wait the kiosk showed for the Finnish queue is the one it gets on joining.
        assert place.estimated_wait_s == finnish_wait and place.kiosk_needed is False


async def test_a_swedish_clerk_away_for_hours_leaves_swedish_closed(tmp_path: Path) -> None:
    shift = [0.0]
    async with running_server(tmp_path / "data", clock=lambda: time.time() + shift[0]) as h:
        kiosk_id = h.add_kiosk("nurmes", "Nurmes 1")
        h.add_agent("sven", ["kela.benefits"], ["sv"])
        await h.agent("sven")  # logged in, never ready
        kiosk = await h.kiosk(kiosk_id)

        async def kela() -> S.ServiceInfo:
            services = await kiosk.request(C.ServicesGet())
            assert isinstance(services, S.Services)
            return next(s for s in services.services if s.id == "kela.benefits")

        assert (await kela()).languages_available == ["sv"]  # just logged in: a short grace
        shift[0] = RouterConfig().not_ready_grace_s + 60  # the afternoon goes by
        assert (await kela()).languages_available == []
