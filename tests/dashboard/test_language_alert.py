"""On a real server: a Swedish speaker waits and no Swedish-speaking clerk is ready, so the
dashboard raises ``language_unserved`` (in every dashboard language, with the official names);
the alert clears when such a clerk becomes ready. Finnish-only clerks do not count."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.server.harness import running_server
from wire import client_messages as C


async def _until(what: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_swedish_citizen_with_no_swedish_clerk_ready_raises_and_clears(
    tmp_path: Path,
) -> None:
    async with running_server(tmp_path / "data", unserved_language_alert_s=1.0) as h:
        kiosk_id = h.add_kiosk("kitee", "Kitee kiosk 1")
        h.add_agent("aino", ["kela.benefits"], ["fi"])
        h.add_agent("britt", ["kela.benefits"], ["fi", "sv"])
        aino = await h.agent("aino")
        aino.send(C.AgentStateSet(state="ready"))
        britt = await h.agent("britt")  # logged in, not ready: Swedish is offered, nobody serves
        kiosk = await h.kiosk(kiosk_id)
        await kiosk.request(C.QueueJoin(service="kela.benefits", language="sv"))
        monitor = h.ctx.monitor

        def unserved() -> list[dict[str, Any]]:
            return [a for a in monitor.snapshot.get("alerts", [])
                    if a["kind"] == "language_unserved" and not a["cleared_at"]]

        (alert,) = await _until(unserved)
        assert alert["text"] == {
            "fi": "Asiakkaita jonossa, ei valmiina olevaa virkailijaa: Kelan etuudet, "
                  "asiointikieli ruotsi",
            "sv": "Kunder i kö utan någon handläggare redo: FPA:s förmåner på svenska",
            "en": "Citizens wait for Kela benefits in Swedish with no clerk ready to serve them",
        }
        (queue,) = [q for q in monitor.snapshot["queues"] if q["language"] == "sv"]
        assert queue["unserved"] and queue["waiting"] == 1
        assert queue["service"]["sv"] == "FPA:s förmåner"
        assert queue["agency"]["sv"] == "Folkpensionsanstalten"
        (stored,) = h.ctx.store.open_alerts()
        assert (stored.kind, stored.subject) == ("language_unserved", "kela.benefits/sv")

        britt.send(C.AgentStateSet(state="ready"))  # offered the call at once: serving it
        await _until(lambda: not unserved())
        assert h.ctx.store.open_alerts() == []
        (queue,) = [q for q in monitor.snapshot["queues"] if q["language"] == "sv"]
        assert not queue["unserved"]
