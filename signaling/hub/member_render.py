"""Rendering calls of three or four members for each recipient: membership, offers, directory.

Each member gets its own ``call_members``: its member id, and for every other member (except
the kiosk ↔ answering clerk pair, which keeps the two-member negotiation) the pair's offerer,
TURN credentials minted for that pair alone, and what it may send on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from signaling.routing.member_model import Member, StaffProfile
from signaling.routing.members import CallMembership, pair_media
from signaling.routing.views import AgentView
from wire import member_messages as M
from wire import server_messages as S
from wire.member_messages import INTERPRETATION_LANGUAGES
from wire.types import IceServer

__all__ = ["MemberLook", "call_members", "directory", "is_original_pair", "pair_label"]


@dataclass(frozen=True, slots=True)
class MemberLook:
    """What rendering needs beyond the membership."""

    kiosk_label: Callable[[str], tuple[str, S.SiteRef | None]]
    agent_name: Callable[[str], str]
    ice_servers: Callable[[str, float], list[IceServer]]
    ice_transport_policy: str

    def site_name(self, kiosk_id: str, language: str) -> str:
        """The kiosk's service point name in ``language`` (the kiosk's name without a site)."""
        name, site = self.kiosk_label(kiosk_id)
        if site is None:
            return name
        return str(getattr(site.names, language, site.names.fi))

    def name_of(self, member: Member, language: str) -> str:
        """A member's display name: the service point for the kiosk, else the person's."""
        if member.role == "kiosk":
            return self.site_name(member.who, language)
        return self.agent_name(member.who)


def is_original_pair(a: Member, b: Member) -> bool:
    """Whether ``a``–``b`` is the kiosk ↔ answering clerk pair (negotiated without ``peer``)."""
    return {a.role, b.role} == {"kiosk", "clerk"}


def pair_label(call_id: str, a: Member, b: Member) -> str:
    """The TURN label of one pair: the call and both member ids, in a fixed order."""
    lo, hi = sorted((a.member_id, b.member_id))
    return f"{call_id}.{lo}-{hi}"


def call_members(
    call: CallMembership, me: Member, event: str, about: str | None, now: float,
    look: MemberLook,
) -> M.CallMembers:
    """``call_members`` as ``me`` gets it."""
    listed: list[M.CallMember] = []
    for m in call.members:
        pair = None
        if m is not me and not is_original_pair(me, m):
            audio, video = pair_media(me.role, me.mode, m.role)
            pair = M.MemberPair(
                offerer=me.index > m.index,
                ice_servers=look.ice_servers(pair_label(call.call_id, me, m), now),
                send_audio=audio,
                send_video=video,
            )
        listed.append(
            M.CallMember(
                member_id=m.member_id,
                role=m.role,
                name=look.name_of(m, call.language),
                joined_at=m.joined_at,
                supervisor_mode=m.mode,
                interpretation_language=m.interpretation_language,  # type: ignore[arg-type]
                connected=m.connected,
                pair=pair,
            )
        )
    return M.CallMembers(
        call_id=call.call_id,
        service=call.service,
        language=call.language,  # type: ignore[arg-type]
        you=me.member_id,
        your_role=me.role,
        members=listed,
        event=event,  # type: ignore[arg-type]
        member_id=about,
        ice_transport_policy=look.ice_transport_policy,  # type: ignore[arg-type]
    )


def directory(
    me: str, call_id: str | None, agents: list[AgentView], profiles: dict[str, StaffProfile],
    free: Callable[[str], bool], waiting: Callable[[str], int],
    team_calls: list[M.TeamCall], look: MemberLook,
) -> M.MemberDirectory:
    """Colleagues (never ``me``), interpreters' pools, and a supervisor's team calls."""
    listed = []
    pools: dict[str, list[int]] = {}
    for view in agents:
        profile = profiles.get(view.agent_id, StaffProfile(look.agent_name(view.agent_id)))
        for lang in profile.interpretation_languages:
            counts = pools.setdefault(lang, [0, 0])
            counts[1] += 1
            counts[0] += 1 if free(view.agent_id) else 0
        if view.agent_id == me:
            continue
        listed.append(
            M.DirectoryAgent(
                agent_id=view.agent_id,
                name=look.agent_name(view.agent_id),
                state=view.state.value,
                skills=sorted(view.skills),
                interpretation_languages=[
                    lang for lang in INTERPRETATION_LANGUAGES
                    if lang in profile.interpretation_languages
                ],
                supervisor=profile.supervisor,
            )
        )
    return M.MemberDirectory(
        call_id=call_id,
        agents=listed,
        pools=[
            M.DirectoryPool(interpretation_language=lang, free=pools[lang][0],
                            logged_in=pools[lang][1], waiting=waiting(lang))
            for lang in INTERPRETATION_LANGUAGES if lang in pools
        ],
        team_calls=team_calls,
    )
