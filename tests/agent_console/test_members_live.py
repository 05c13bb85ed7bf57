"""The real console as an interpreter in a real call of three: the server, a clerk who
invites from the Somali pool and a kiosk run as processes; the console (window, presenter,
backend and the client core's mesh) is invited, sees the context, joins, shows the citizen's
and the clerk's live pictures with name and role, and leaves while the call goes on.
``ETAPISTE_SHOTS=DIR`` keeps the screenshot."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from agent_console.console_state import Phase
from demo.process import start_server, wait_ready
from demo.seed import INTERPRETER, seed
from signaling.settings import Settings
from tests.agent_console.test_console_e2e import click, console_for, log_in
from tests.calls.members import agent, kiosk
from tests.calls.processes import free_port, kill_all
from tests.server.harness import CHEAP_HASHER
from tests.waiting import wait_until as until

pytestmark = pytest.mark.slow
AINO = ("aino", "demo-aino-2026")


class _Server:
    """``console_for`` needs only the base URL."""

    def __init__(self, port: int) -> None:
        self.base_url = f"http://127.0.0.1:{port}"


def _keep(shot: Path) -> None:
    keep = os.environ.get("ETAPISTE_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


@pytest.mark.timeout(240)
def test_interpreter_console_joins_sees_everyone_and_leaves(qtbot, run, tmp_path):
    async def body() -> None:
        data = tmp_path / "data"
        setup = seed(data, Settings().catalogue, CHEAP_HASHER)
        token = next(iter(setup.kiosk_tokens.values()))
        port = free_port()
        server = start_server(data, port)
        procs = []
        try:
            await wait_ready(f"http://127.0.0.1:{port}")
            async with console_for(qtbot, _Server(port)) as (console, _chimes):  # type: ignore[arg-type]
                p, w = console.presenter, console.window
                w.resize(1366, 800)
                await log_in(qtbot, console, INTERPRETER.username, INTERPRETER.password)
                await until(lambda: p.phase is Phase.NOT_READY, 20, "logged in")
                who = w.status.name.text()  # the interpreter's pools, from the welcome
                assert "Tulkkaus:" in who and "somali" in who and "arabia" in who, who
                click(qtbot, w.status.ready)
                await until(lambda: p.phase is Phase.READY, 10, "ready")
                clerk = await agent(port, *AINO, "clerk", ["--invite", "interpreters:so"], 60,
                                    data / "clerk.log")
                procs.append(clerk)
                await clerk.wait_event("welcome", 30)
                procs.append(await kiosk(port, token, 60, data / "kiosk.log"))
                await until(lambda: p.member_offer is not None, 60, "the invitation")
                panel = w.work.member_offer
                assert w.work.action.currentWidget() is panel
                assert panel.values["invited_by"].text() == "Aino Virtanen"
                assert panel.values["role"].text() == "tulkiksi (somali)"
                click(qtbot, panel.accept)
                await until(lambda: p.phase is Phase.IN_CALL, 20, "in the call")
                grid = w.call.grid
                await until(lambda: w.call.stage.currentWidget() is grid, 10, "the grid")
                tiles = [t for t in grid.tiles if t.isVisible()]
                assert len(tiles) == 3
                names = [t.name.text() for t in tiles]
                assert names[0].endswith("· Asiakas") and "Aino Virtanen · Virkailija" in names
                assert names[-1] == "Sinä · Tulkki (somali)"
                await until(lambda: all(t.video.frames_shown > 3 for t in tiles), 40,
                            "live pictures of the citizen, the clerk and oneself")
                assert not w.call.end.isVisible() and w.call.members_bar.leave.isVisible()
                shot = tmp_path / "console-live-interpreter.png"
                w.grab().save(str(shot))
                _keep(shot)
                call = p.call
                assert call is not None
                # Silencing the clerk on this console's speaker reaches that pair's media.
                clerk_tile = next(t for t in tiles if t.name.text().startswith("Aino"))
                click(qtbot, clerk_tile.silence)
                mesh = console.backend.mesh
                assert mesh is not None
                pair = mesh.pairs[clerk_tile.member_id].session.peer
                assert pair is not None and not pair.remote.audible
                assert clerk_tile.silence.text() == "Palauta ääni"
                w.call.chat.input.setText("Tulkkaan somaliksi.")
                click(qtbot, w.call.chat.send_button)  # to everyone, through the server
                await until(lambda: any(line.sender == "agent" and line.text.startswith("Tulk")
                                        for line in call.chat), 10, "chat relayed back")
                click(qtbot, w.call.members_bar.leave)
                await until(lambda: p.call is None, 20, "out of the call")
                assert p.wrapup is None and p.phase in (Phase.READY, Phase.NOT_READY)

                def left() -> bool:
                    lines = clerk.of("members")
                    return bool(lines) and lines[-1].get("change") == "left"

                await until(left, 20, "the clerk sees the interpreter leave")
                assert len(clerk.of("members")[-1]["members"]) == 2  # the call goes on
        finally:
            await kill_all(*procs)
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(15)

    run(body(), 220)
