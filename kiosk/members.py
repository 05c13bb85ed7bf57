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
from wire.types import Language, Names

Role = Literal["clerk", "interpreter", "supervisor"]
SupervisorMode = Literal["listen", "whisper", "barge"]

ROLES: Final[tuple[Role, ...]] = ("clerk", "interpreter", "supervisor")
SUPERVISOR_MODES: Final[tuple[SupervisorMode, ...]] = ("listen", "whisper", "barge")
INTERPRETED_LANGUAGES: Final = ("ar", "so", "ru", "uk", "fa", "ku", "fse", "fss")
"""Languages the kiosk can name (``members.language_<code>``); another code is shown as is.
``fse``/``fss``: Finnish and Finland-Swedish sign language (ISO 639-3)."""
SIGN_LANGUAGES: Final = frozenset({"fse", "fss"})
MAX_MEMBERS: Final = 4
"""The kiosk and up to three others."""


@dataclass(frozen=True)
class CallMember:
    """Someone in the call besides the citizen."""

    member_id: str
    name: str
    role: Role
    answering: bool = False
    """The clerk who answered (the one the call belongs to)."""
    agency: Names | None = None
    """A clerk's agency, shown for a second clerk (another agency's expert)."""
    language: str | None = None
    """The language an interpreter interprets (besides the citizen's)."""
    mode: SupervisorMode | None = None
    """What a supervisor does: listen, speak to the clerk only, or speak to everyone."""
    camera_on: bool = True
    away: bool = False
    """Their connection dropped; the others go on."""


def main_member(members: Iterable[CallMember]) -> CallMember | None:
    """Whose picture is the largest: an interpreter (signs must be readable), else the
    answering clerk, else whoever is first."""
    members = list(members)
    for wanted in (
        lambda m: m.role == "interpreter",
        lambda m: m.role == "clerk" and m.answering,
        lambda m: m.role == "clerk",
    ):
        found = next((m for m in members if wanted(m)), None)
        if found is not None:
            return found
    return members[0] if members else None


def _rank(member: CallMember) -> int:
    if member.role == "clerk":
        return 0 if member.answering else 1
    return 2 if member.role == "interpreter" else 3


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
    return f"members.language_{code}" if code in INTERPRETED_LANGUAGES else None


def role_text(cat: Catalogue, lang: Language, member: CallMember) -> str:
    """A member's role in the citizen's language: "Tulkki (arabia)", "Handläggare,
    Skatteförvaltningen", "Supervisor"."""
    if member.role == "interpreter" and member.language in SIGN_LANGUAGES:
        # The citizen knows which sign language they use; the short name saves a line
        # under the picture that must stay largest.
        return cat.tr(lang, "members.role_sign_interpreter")
    role = cat.tr(lang, role_key(member))
    if member.role == "interpreter" and member.language:
        key = language_key(member.language)
        language = cat.tr(lang, key) if key else member.language
        return cat.tr(lang, "members.with_language", role=role, language=language)
    if member.role == "clerk" and not member.answering and member.agency is not None:
        agency = str(getattr(member.agency, lang))
        return cat.tr(lang, "members.with_agency", role=role, agency=agency)
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

    def for_member(self, member: CallMember) -> FrameSlot:
        """Where ``member``'s picture is: the primary slot for the answering clerk."""
        return self.primary if member.answering else self.slot(member.member_id)

    def keep_only(self, member_ids: Iterable[str]) -> None:
        """Forget the pictures of members who left (nothing of them stays in memory)."""
        keep = set(member_ids)
        for member_id in list(self._slots):
            if member_id not in keep:
                del self._slots[member_id]
