"""``python -m tools.console_member_screenshots OUTDIR``: the console in calls of three and
four members, offscreen: the answering clerk (with an interpreter; with a supervisor
whispering, then barging in; the invitation dialog), an interpreter (the invitation with its
context, then in the call), and a supervisor (in the call, with the mode buttons).

The real windows and presenters, fed the wire messages the server sends; a still backend
stands in for the network, drawn pictures for the cameras.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from av import VideoFrame

from agent_console.clock import ManualClock
from agent_console.console_state import LoginInfo
from agent_console.i18n import Catalogue, UiLanguage
from agent_console.presenter import ConsolePresenter
from client_core.call_events import MediaConnected, StatsSampled
from tools.console_screenshots import (
    DISPOSITIONS,
    SITES,
    StillBackend,
    _picture,
    _sample,
    run_capture,
)
from tools.shots import catalogue_services, settle
from wire import member_messages as M
from wire import server_messages as S

PICTURES = {  # member id → (label drawn in the picture, colour)
    "m1": ("Aino Virtanen", (120, 90, 60)),
    "m2": ("Leila Ahmed", (60, 60, 60)),
    "m3": ("Pirjo Makinen", (110, 110, 130)),
}
NAMES = {"m0": "Lieksan yhteispalvelupiste", "m1": "Aino Virtanen", "m2": "Leila Ahmed",
         "m3": "Pirjo Mäkinen"}
SITE = S.SiteRef(id="lieksa", names=SITES["lieksa"])


def _member(member_id: str, role: M.MemberRole, **extra: Any) -> M.CallMember:
    return M.CallMember(member_id=member_id, role=role, name=NAMES[member_id],
                        joined_at=time.time() - 300, **extra)


def members(you: str, mode: M.SupervisorMode | None = None) -> M.CallMembers:
    """The call as ``you`` sees it: kiosk, clerk, interpreter, and a supervisor in ``mode``."""
    roles: dict[str, M.MemberRole] = {"m0": "kiosk", "m1": "clerk", "m2": "interpreter",
                                      "m3": "supervisor"}
    listed = [
        _member("m0", "kiosk"),
        _member("m1", "clerk"),
        _member("m2", "interpreter", interpretation_language="ar"),
    ]
    if mode is not None:
        listed.append(_member("m3", "supervisor", supervisor_mode=mode))
    return M.CallMembers(call_id="c1", service="kela.benefits", language="fi", you=you,
                         your_role=roles[you], members=listed,
                         event="joined" if mode is None else "mode")


def capture_members(out_dir: Path, language: UiLanguage = "fi") -> list[Path]:
    """Render each state to ``out_dir``; returns the files written."""
    from PyQt6.QtGui import QColor, QPainter
    from PyQt6.QtWidgets import QApplication

    from agent_console.views.context import ViewContext
    from agent_console.views.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def console(name: str, **info: Any) -> tuple[ConsolePresenter, Any, ManualClock]:
        clock = ManualClock(wall=time.time())
        backend = StillBackend()
        for member_id, (label, colour) in PICTURES.items():
            backend.feeds.slot(member_id).put(
                VideoFrame.from_ndarray(_picture(640, 480, label, colour), format="bgr24")
            )
        presenter = ConsolePresenter(backend, clock)
        window = MainWindow(ViewContext(presenter, Catalogue(language), backend.feeds))
        window.resize(1366, 800)
        window.show()
        presenter.login(name, "x")
        presenter.on_logged_in(LoginInfo("a-" + name, name, ["kela.benefits", "vero.tax"],
                                         ["fi", "sv"], DISPOSITIONS, clock.time(), **info))
        presenter.on_services(catalogue_services(clock.time()))
        presenter.on_connection("connected")
        return presenter, window, clock

    def shot(window: Any, name: str, presenter: ConsolePresenter, overlay: Any = None) -> None:
        presenter.tick()
        for _ in range(5):
            app.processEvents()
        settle(window)
        pixmap = window.grab()
        if overlay is not None:
            painter = QPainter(pixmap)
            painter.fillRect(pixmap.rect(), QColor(0, 0, 0, 90))
            image = overlay.grab()
            painter.drawPixmap((pixmap.width() - image.width()) // 2,
                               (pixmap.height() - image.height()) // 2, image)
            painter.end()
        path = out_dir / f"{len(written) + 1:02d}-{name}.png"
        pixmap.save(str(path))
        written.append(path)

    def in_call(presenter: ConsolePresenter, clock: ManualClock) -> None:
        presenter.on_call_event(MediaConnected(attempt=0))
        presenter.on_call_event(StatsSampled(_sample()))
        clock.advance(312)

    # The answering clerk.
    p, w, clock = console("Aino Virtanen")
    p.on_message(S.AgentStatus(state="ready", since=clock.time()))
    p.on_message(S.CallStart(call_id="c1", role="answerer", ice_servers=[],
                             peer=S.Peer(kind="kiosk", name="Lieksa kiosk 1", site=SITE),
                             service="kela.benefits", language="fi"))
    p.on_message(S.AgentStatus(state="in_call", since=clock.time(), call_id="c1"))
    in_call(p, clock)
    p.on_message(M.MemberInviteStatus(invite_id="i1", call_id="c1", state="accepted",
                                      role="interpreter", target="interpreters",
                                      name="Leila Ahmed", member_id="m2"))
    p.on_message(members("m1"))
    for member_id, text in (("m0", "Hei, tarvitsen apua asumistuen kanssa."),
                            ("m2", "Tulkkaan asiakkaalle arabiaksi.")):
        role: M.MemberRole = "kiosk" if member_id == "m0" else "interpreter"
        p.on_message(M.MemberChatPosted(call_id="c1", member_id=member_id, name=NAMES[member_id],
                                        role=role, text=text, at=clock.time()))
    shot(w, "clerk-three-interpreter", p)
    p.on_message(M.MemberDirectory(call_id="c1", agents=[
        M.DirectoryAgent(agent_id="a7", name="Mikko Lehtonen", state="ready",
                         skills=["vero.tax"]),
        M.DirectoryAgent(agent_id="a9", name="Pirjo Mäkinen", state="not_ready",
                         supervisor=True),
    ], pools=[M.DirectoryPool(interpretation_language="ar", free=0, logged_in=1),
              M.DirectoryPool(interpretation_language="fi-sign", free=2, logged_in=3)]))
    dialog = w.call.open_invite()
    dialog.select("interpreter", "pool:fi-sign")
    shot(w, "clerk-invite-dialog", p, overlay=dialog)
    dialog.reject()
    for mode in ("whisper", "barge"):
        p.on_message(members("m1", mode))
        shot(w, f"clerk-four-supervisor-{mode}", p)
    w.close()

    # An interpreter: the invitation, then the call.
    p, w, clock = console("Leila Ahmed", interpretation_languages=["ar", "so"])
    p.on_message(S.AgentStatus(state="ready", since=clock.time() - 600))
    p.on_message(M.MemberOffer(invite_id="i1", call_id="c1", role="interpreter",
                               service="kela.benefits", language="fi",
                               interpretation_language="ar", invited_by="Aino Virtanen",
                               site=SITES["lieksa"].fi, members=2,
                               note="Asumistuen päätös", expires_in_s=20))
    clock.advance(5.5)
    shot(w, "interpreter-offer", p)
    p.accept_member_offer()
    p.on_message(members("m2"))
    p.on_message(S.AgentStatus(state="in_call", since=clock.time(), call_id="c1"))
    in_call(p, clock)
    shot(w, "interpreter-in-call", p)
    w.close()

    # A supervisor listening in.
    p, w, clock = console("Pirjo Mäkinen", supervisor=True)
    p.on_message(S.AgentStatus(state="ready", since=clock.time() - 1500))
    w.work.tabs.setCurrentIndex(2)
    p.on_message(M.MemberDirectory(team_calls=[
        M.TeamCall(call_id="c1", clerk="Aino Virtanen", service="kela.benefits", language="fi",
                   members=3, since=clock.time() - 312),
        M.TeamCall(call_id="c2", clerk="Erik Lindqvist", service="kela.benefits",
                   language="sv", members=2, since=clock.time() - 95),
    ]))
    w.work.team.calls.setCurrentRow(0)
    shot(w, "supervisor-team-calls", p)
    p.join_team_call("c1")
    p.on_message(S.AgentStatus(state="in_call", since=clock.time(), call_id="c1"))
    p.on_message(members("m3", "listen"))
    in_call(p, clock)
    shot(w, "supervisor-listening", p)
    w.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots."""
    return run_capture("python -m tools.console_member_screenshots", capture_members, argv)


if __name__ == "__main__":
    raise SystemExit(main())
