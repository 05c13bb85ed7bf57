"""Who else is in the citizen's call: the clerk, and up to two more (an interpreter, a second
clerk, a supervisor), and how the kiosk shows them.  No Qt, no I/O.

The citizen must always know who sees and hears them: every member's name and role is on
screen, a supervisor's presence is a banner saying what they do (listen, speak to the clerk
only, speak to everyone), and an interpreter's picture is the largest, so signs can be read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from client_core.frame_slot import FrameSlot
from kiosk.i18n import Catalogue
from wire import member_messages as M
from wire.member_messages import INTERPRETATION_LANGUAGES, SupervisorMode
from wire.types import Language

Role = Literal["clerk", "second_clerk", "interpreter", "supervisor"]
"""A member's part as the kiosk shows it (``clerk``: the one who answered)."""

SIGN_LANGUAGES: Final = frozenset({"fi-sign", "sv-sign"})


@dataclass(frozen=True)
class CallMember:
    """Someone in the call besides the citizen."""

    member_id: str
    name: str
    role: Role
    language: str | None = None
    """The language an interpreter interprets (besides the citizen's)."""
    mode: SupervisorMode | None = None
    """What a supervisor does: listen, speak to the clerk only, or speak to everyone."""
    camera_on: bool = True
    away: bool = False
    """Their connection dropped; the others go on."""

    @property
    def answering(self) -> bool:
        """The clerk who answered (the one the call belongs to)."""
        return self.role == "clerk"

    @classmethod
    def from_wire(cls, member: M.CallMember) -> CallMember | None:
        """The kiosk's view of a member in ``call_members`` (None: the kiosk itself)."""
        if member.role == "kiosk":
            return None
        return cls(
            member.member_id,
            member.name,
            member.role,
            language=member.interpretation_language,
            mode=member.supervisor_mode,
            # A listening or whispering supervisor sends a dark picture: say so instead.
            camera_on=member.role != "supervisor" or member.supervisor_mode == "barge",
            away=not member.connected,
        )


def main_member(members: Iterable[CallMember]) -> CallMember | None:
    """Whose picture is the largest: an interpreter (signs must be readable), else the
    answering clerk, else whoever is first."""
    members = list(members)
    for wanted in ("interpreter", "clerk", "second_clerk"):
        found = next((m for m in members if m.role == wanted), None)
        if found is not None:
            return found
    return members[0] if members else None


_RANK: Final = {"clerk": 0, "second_clerk": 1, "interpreter": 2, "supervisor": 3}


def _rank(member: CallMember) -> int:
    return _RANK[member.role]


def ordered(members: Iterable[CallMember]) -> list[CallMember]:
    """The main member first, then the answering clerk, other clerks, an interpreter, the
    supervisor (the order of the small pictures and of the list)."""
    members = list(members)
    main = main_member(members)
    rest = sorted((m for m in members if m is not main), key=_rank)
    return ([main] if main is not None else []) + rest


def supervisor(members: Iterable[CallMember]) -> CallMember | None:
    """The supervisor in the call, if any."""
    return next((m for m in members if m.role == "supervisor"), None)


def role_key(member: CallMember) -> str:
    """The catalogue key of a member's role."""
    return f"members.role_{member.role}"


def language_key(code: str) -> str | None:
    """The catalogue key naming an interpreted language, or None for an unknown code."""
    known = code in INTERPRETATION_LANGUAGES
    return f"members.language_{code.replace('-', '_')}" if known else None


def role_text(cat: Catalogue, lang: Language, member: CallMember) -> str:
    """A member's role in the citizen's language: "Tulkki (arabia)", "Sakkunnig",
    "Supervisor"."""
    if member.role == "interpreter" and member.language in SIGN_LANGUAGES:
        # The citizen knows which sign language they use; the short name saves a line
        # under the picture that must stay largest.
        return cat.tr(lang, "members.role_sign_interpreter")
    role = cat.tr(lang, role_key(member))
    if member.role == "interpreter" and member.language:
        key = language_key(member.language)
        language = cat.tr(lang, key) if key else member.language
        return cat.tr(lang, "members.with_language", role=role, language=language)
    return role


def banner_keys(members: Iterable[CallMember]) -> tuple[str, str] | None:
    """The supervisor banner's two sentences (catalogue keys), or None without one."""
    boss = supervisor(members)
    if boss is None:
        return None
    return "members.supervisor_banner", f"members.supervisor_{boss.mode or 'listen'}"


class MemberSlots:
    """Each member's picture by member id; the mesh writes them, the call screen reads.

    The answering clerk's picture is the call's first remote slot (``primary``), so a call
    of two works as before.
    """

    def __init__(self, primary: FrameSlot | None = None) -> None:
        self.primary = primary or FrameSlot()
        self._slots: dict[str, FrameSlot] = {}

    def slot(self, member_id: str) -> FrameSlot:
        """The slot of ``member_id`` (made on first use)."""
        slot = self._slots.get(member_id)
        if slot is None:
            slot = self._slots[member_id] = FrameSlot()
        return slot

    def link(self, member_id: str, slot: FrameSlot) -> None:
        """Show ``slot`` (the mesh pair's remote picture) as ``member_id``'s picture."""
        self._slots[member_id] = slot

    def for_member(self, member: CallMember) -> FrameSlot:
        """Where ``member``'s picture is: the primary slot for the answering clerk."""
        return self.primary if member.answering else self.slot(member.member_id)

    def keep_only(self, member_ids: Iterable[str]) -> None:
        """Forget the pictures of members who left (nothing of them stays in memory)."""
        keep = set(member_ids)
        for member_id in list(self._slots):
            if member_id not in keep:
                del self._slots[member_id]
