"""Calls of three or four on the kiosk, without a screen: the server's ``call_members`` and
``member_chat`` messages through the presenter, the role texts in fi/sv/en, the supervisor
banner, and the arithmetic that keeps the interpreter's picture largest."""

from __future__ import annotations

import itertools

import pytest

from kiosk.i18n import Catalogue
from kiosk.members import CallMember, MemberSlots, banner_keys, language_key, main_member, role_text
from kiosk.state import ChatLine, Screen
from kiosk.ui.stage_geometry import MIN_MAIN_SHARE, stage_layout
from tests.kiosk.test_flow import make
from wire import member_messages as M
from wire.codec import parse_server

CAT = Catalogue.load()


def _member(member_id: str, role: M.MemberRole, name: str, **extra: object) -> M.CallMember:
    return M.CallMember(member_id=member_id, role=role, name=name, joined_at=1.7e9, **extra)


def _members(*extra: M.CallMember, event: M.MemberEvent = "joined") -> M.CallMembers:
    return M.CallMembers(
        call_id="c1", service="kela.benefits", language="fi", you="m0", your_role="kiosk",
        members=[_member("m0", "kiosk", "Lieksa"), _member("m1", "clerk", "Aino Virtanen"),
                 *extra],
        event=event,
    )


INTERPRETER = _member("m2", "interpreter", "Leila Ahmed", interpretation_language="ar")
SUPERVISOR = _member("m3", "supervisor", "Pirjo Mäkinen", supervisor_mode="whisper")


def _in_call():  # type: ignore[no-untyped-def]
    p, effects, _clock = make()
    p.on_call_started("Aino Virtanen")
    return p, effects


def test_members_from_the_wire_put_the_interpreter_first_and_leave_the_kiosk_out() -> None:
    p, _ = _in_call()
    assert not p.several_members  # a call of two as before
    message = parse_server(_members(SUPERVISOR, INTERPRETER).model_dump_json())
    assert isinstance(message, M.CallMembers)
    members = [CallMember.from_wire(m) for m in message.members]
    p.on_members([m for m in members if m is not None])
    assert p.several_members
    assert [m.role for m in p.citizen.members] == ["interpreter", "clerk", "supervisor"]
    assert p.citizen.members[0].language == "ar"
    assert p.citizen.members[2].mode == "whisper"
    assert not p.citizen.members[2].camera_on  # a whispering supervisor sends no picture
    assert p.citizen.members[0].camera_on
    assert p.citizen.clerk_name == "Aino Virtanen"


def test_a_member_whose_link_dropped_is_shown_away() -> None:
    p, _ = _in_call()
    dropped = INTERPRETER.model_copy(update={"connected": False})
    members = [CallMember.from_wire(m) for m in _members(dropped, event="reconnecting").members]
    p.on_members([m for m in members if m is not None])
    assert p.citizen.members[0].away


def test_members_are_forgotten_when_the_call_ends_and_ignored_outside_a_call() -> None:
    p, _ = _in_call()
    p.on_members([CallMember("m1", "Aino", "clerk"), CallMember("m2", "Leila", "interpreter")])
    p.on_call_ended("hangup")
    assert p.screen == Screen.END and p.citizen.members == []
    p.on_members([CallMember("m1", "Aino", "clerk"), CallMember("m2", "Leila", "interpreter")])
    assert p.citizen.members == []


def test_shared_chat_names_who_wrote() -> None:
    p, _ = _in_call()
    p.on_members([CallMember("m1", "Aino", "clerk"), CallMember("m2", "Leila", "interpreter")])
    posted = M.MemberChatPosted(call_id="c1", member_id="m2", name="Leila", role="interpreter",
                                text="Tulkkaan.", at=1.7e9)
    p.on_chat_received(posted.text, posted.member_id)
    line = p.citizen.chat[-1]
    sender = p.chat_sender(line)
    assert sender is not None and sender.name == "Leila"
    clerk = p.chat_sender(ChatLine(mine=False, text="hei"))
    assert clerk is not None and clerk.role == "clerk"
    assert p.chat_sender(ChatLine(mine=True, text="kiitos")) is None


@pytest.mark.parametrize(
    ("lang", "interpreter", "sign", "supervisor", "second"),
    [
        ("fi", "Tulkki (arabia)", "Viittomakielen tulkki", "Esihenkilö", "Asiantuntija"),
        ("sv", "Tolk (arabiska)", "Teckenspråkstolk", "Förman", "Sakkunnig"),
        ("en", "Interpreter (Arabic)", "Sign language interpreter", "Supervisor", "Expert"),
    ],
)
def test_roles_in_the_citizens_language(
    lang: str, interpreter: str, sign: str, supervisor: str, second: str
) -> None:
    def text(**kw: object) -> str:
        return role_text(CAT, lang, CallMember("x", "N", **kw))  # type: ignore[arg-type]

    assert text(role="interpreter", language="ar") == interpreter
    assert text(role="interpreter", language="fi-sign") == sign
    assert text(role="supervisor", mode="listen") == supervisor
    assert text(role="second_clerk") == second


def test_every_interpretation_language_has_a_name_in_every_language() -> None:
    for code, lang in itertools.product(M.INTERPRETATION_LANGUAGES, ("fi", "sv", "en")):
        key = language_key(code)
        assert key is not None and CAT.tr(lang, key)  # a missing one raises


def test_supervisor_banner_says_what_the_supervisor_does() -> None:
    assert banner_keys([CallMember("m1", "A", "clerk")]) is None
    said = {}
    for mode in ("listen", "whisper", "barge"):
        keys = banner_keys([CallMember("m1", "A", "clerk"),
                            CallMember("m3", "P", "supervisor", mode=mode)])  # type: ignore[arg-type]
        assert keys is not None
        said[mode] = [CAT.tr("fi", k) for k in keys]
    assert said["listen"][0] == "Esihenkilö seuraa puhelua."
    assert "et kuule" in said["whisper"][1] and "kuulet" in said["barge"][1]
    assert len({tuple(v) for v in said.values()}) == 3


def test_main_member_is_the_interpreter_else_the_answering_clerk() -> None:
    clerk = CallMember("m1", "A", "clerk")
    second = CallMember("m2", "B", "second_clerk")
    interp = CallMember("m3", "C", "interpreter", language="fi-sign")
    assert main_member([second, clerk]) is clerk
    assert main_member([clerk, second, interp]) is interp


def test_member_slots_give_the_clerk_the_calls_slot_and_forget_who_left() -> None:
    slots = MemberSlots()
    clerk, interp = CallMember("m1", "A", "clerk"), CallMember("m2", "B", "interpreter")
    assert slots.for_member(clerk) is slots.primary
    first = slots.for_member(interp)
    assert slots.for_member(interp) is first
    slots.keep_only(())
    assert slots.for_member(interp) is not first


@pytest.mark.parametrize(("width", "height"), [(1068, 740), (1068, 520), (1068, 470), (800, 600)])
@pytest.mark.parametrize("count", [2, 3])
@pytest.mark.parametrize("label_lines", [1, 2, 4])
def test_stage_keeps_the_large_picture_largest_and_tiles_apart(
    width: int, height: int, count: int, label_lines: int
) -> None:
    def small(_w: int) -> int:
        return 38 * label_lines

    layout = stage_layout(width, height, count, main_label=lambda _w: 45, small_label=small)
    rects = [layout.main, *layout.small]
    for x, y, w, h in rects:
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height
    for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(rects, 2):
        assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay
    main_picture = layout.main[3] - 45
    assert main_picture >= height * MIN_MAIN_SHARE
    assert all(main_picture > h - small(w) for _, _, w, h in layout.small)
    assert layout.main[2] * main_picture > max(w * (h - small(w)) for _, _, w, h in layout.small)
