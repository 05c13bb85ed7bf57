"""The console's member views drawn offscreen: the 2×2 grid with names and roles, removal
only of added members, the supervisor banner and modes, the invitation dialog and offer."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt

from agent_console.console_state import Phase
from agent_console.i18n import Catalogue
from agent_console.ports import VideoFeeds
from agent_console.views.context import ViewContext
from agent_console.views.main_window import MainWindow
from client_core.frame_slot import FrameSlot
from tests.agent_console.test_members import _console, members, sent, wire
from tests.agent_console.test_presenter import in_call
from wire import member_messages as M

LEFT = Qt.MouseButton.LeftButton


def _window(p: Any) -> MainWindow:
    window = MainWindow(ViewContext(p, Catalogue("fi"), VideoFeeds(FrameSlot(), FrameSlot())))
    window.resize(1366, 800)
    window.show()
    return window


def test_clerk_sees_a_2x2_grid_with_names_roles_and_removal_of_the_interpreter(qtbot) -> None:
    p, backend, _ = in_call()
    window = _window(p)
    qtbot.addWidget(window)
    p.on_message(members("m1", supervisor="whisper", event="mode"))
    call_view = window.call
    assert window.pages.currentWidget() is call_view
    assert call_view.stage.currentWidget() is call_view.grid
    tiles = [t for t in call_view.grid.tiles if t.isVisible()]
    assert len(tiles) == 4
    positions = {(t.x() > tiles[0].x() + 10, t.y() > tiles[0].y() + 10) for t in tiles}
    assert positions == {(False, False), (True, False), (False, True), (True, True)}
    names = [t.name.text() for t in tiles]
    assert names[0].startswith("Lieksan yhteispalvelupiste · Asiakas")
    assert "Leila Ahmed · Tulkki (arabia)" in names and "Pirjo Mäkinen · Esihenkilö" in names
    assert names[-1] == "Sinä · Virkailija"
    removable = {t.name.text().split(" · ")[0] for t in tiles if t.remove.isVisible()}
    assert removable == {"Leila Ahmed"}  # not the supervisor overseeing the clerk
    bar = call_view.members_bar
    assert bar.banner.isVisible() and "kuiskaa virkailijalle" in bar.banner.text()
    assert not any(b.isVisible() for b in bar.modes.values())
    interpreter_tile = next(t for t in tiles if t.name.text().startswith("Leila"))
    qtbot.mouseClick(interpreter_tile.remove, LEFT)
    assert sent(backend)[-1] == M.MemberRemove(call_id="c1", member_id="m2")
    supervisor_tile = next(t for t in tiles if t.name.text().startswith("Pirjo"))
    qtbot.mouseClick(supervisor_tile.silence, LEFT)
    assert ("set_member_muted", ("m3", True)) in backend.calls
    assert supervisor_tile.silence.text() == "Palauta ääni"


def test_invite_dialog_sends_the_chosen_interpreter_pool(qtbot) -> None:
    p, backend, _ = in_call()
    window = _window(p)
    qtbot.addWidget(window)
    bar = window.call.members_bar
    assert bar.isVisible() and bar.invite.isEnabled()
    dialog = window.call.open_invite()
    assert isinstance(sent(backend)[-1], M.MemberDirectoryGet)
    p.on_message(wire(M.MemberDirectory(call_id="c1", pools=[
        M.DirectoryPool(interpretation_language="so", free=1, logged_in=2)])))
    assert dialog.select("interpreter", "pool:so")
    assert "1 vapaana" in dialog.lists["interpreter"].currentItem().text()
    dialog.note.setText("Asumistuki")
    qtbot.mouseClick(dialog.confirm, LEFT)
    invite = sent(backend)[-1]
    assert isinstance(invite, M.MemberInvite)
    assert (invite.interpretation_language, invite.note) == ("so", "Asumistuki")


def test_interpreter_offer_then_call_then_supervisor_modes(qtbot) -> None:
    p, backend, _clock = _console(name="Leila Ahmed", interpretation_languages=["ar"])
    window = _window(p)
    qtbot.addWidget(window)
    assert "Tulkkaus: arabia" in window.status.name.text()
    p.on_message(wire(M.MemberOffer(invite_id="i1", call_id="c1", role="interpreter",
                                    service="kela.benefits", language="fi",
                                    interpretation_language="ar", invited_by="Aino Virtanen",
                                    site="Lieksan yhteispalvelupiste", members=2,
                                    expires_in_s=20)))
    panel = window.work.member_offer
    assert window.work.action.currentWidget() is panel
    assert panel.values["invited_by"].text() == "Aino Virtanen"
    assert panel.values["role"].text() == "tulkiksi (arabia)"
    qtbot.mouseClick(panel.accept, LEFT)
    assert sent(backend)[-1] == M.MemberOfferAccept(invite_id="i1")
    p.on_message(members("m2"))
    assert p.phase is Phase.IN_CALL and window.pages.currentWidget() is window.call
    view = window.call
    assert view.members_bar.leave.isVisible() and not view.end.isVisible()
    assert not view.members_bar.invite.isVisible() and not view.photo.isVisible()
    window.close()

    p, backend, _ = _console(name="Pirjo Mäkinen", supervisor=True)
    window = _window(p)
    qtbot.addWidget(window)
    p.on_message(members("m3", supervisor="listen"))
    modes = window.call.members_bar.modes
    assert all(b.isVisible() for b in modes.values()) and modes["listen"].isChecked()
    qtbot.mouseClick(modes["barge"], LEFT)
    assert sent(backend)[-1] == M.SupervisorModeSet(call_id="c1", mode="barge")


def test_supervisor_team_tab_lists_the_calls_and_listens_in(qtbot) -> None:
    p, backend, clock = _console(name="Pirjo Mäkinen", supervisor=True)
    window = _window(p)
    qtbot.addWidget(window)
    tabs = window.work.tabs
    assert tabs.isTabVisible(2)
    tabs.setCurrentIndex(2)
    assert sent(backend)[-1] == M.MemberDirectoryGet()
    p.on_message(wire(M.MemberDirectory(team_calls=[
        M.TeamCall(call_id="c1", clerk="Aino Virtanen", service="kela.benefits", language="fi",
                   members=2, since=clock.time() - 60)])))
    team = window.work.team
    assert team.calls.count() == 1 and "Aino Virtanen" in team.calls.item(0).text()
    team.calls.setCurrentRow(0)
    qtbot.mouseClick(team.listen, LEFT)
    assert sent(backend)[-1] == M.SupervisorJoin(call_id="c1", mode="listen")


def test_a_clerk_has_no_team_tab(qtbot) -> None:
    p, _backend, _clock = in_call()
    window = _window(p)
    qtbot.addWidget(window)
    assert not window.work.tabs.isTabVisible(2)
