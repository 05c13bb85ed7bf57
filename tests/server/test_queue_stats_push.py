"""Queue figures pushed to clerks: each clerk gets the queues of their own skills and languages,
also when the message made for one team is shared by its members."""

from __future__ import annotations

import asyncio

from tests.server.harness import running_server
from wire import client_messages as C
from wire import server_messages as S


async def test_each_clerk_gets_the_figures_of_their_own_queues(tmp_path):
    async with running_server(tmp_path / "data") as h:
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        h.add_agent("aapo", ["kela.benefits"], ["fi"])  # the same team as aino
        h.add_agent("britt", ["vero.tax", "kela.benefits"], ["sv"])
        clerks = {name: await h.agent(name) for name in ("aino", "aapo", "britt")}
        kiosk = await h.kiosk(h.add_kiosk())

        def waiting_in(key: tuple[str, str]):
            return lambda m: any((q.service, q.language) == key and q.waiting for q in m.queues)

        finnish = {name: asyncio.ensure_future(clerks[name].wait_for(
            S.QueueStats, waiting_in(("kela.benefits", "fi")))) for name in ("aino", "aapo")}
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="fi"))
        got = {name: await future for name, future in finnish.items()}
        for message in got.values():
            assert {(q.service, q.language) for q in message.queues} == {("kela.benefits", "fi")}
        assert got["aino"] == got["aapo"]
        swedish = asyncio.ensure_future(
            clerks["britt"].wait_for(S.QueueStats, waiting_in(("vero.tax", "sv"))))
        await (await h.kiosk(h.add_kiosk(name="k2"))).request(
            C.QueueJoin(service="vero.tax", language="sv"))
        theirs = await swedish
        assert {(q.service, q.language) for q in theirs.queues} <= {
            ("kela.benefits", "sv"), ("vero.tax", "sv")}
