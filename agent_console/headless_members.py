"""The headless agent in calls of three or four members: inviting, being invited, supervising.

* A clerk (``--invite interpreters:so``, ``service:vero.tax`` or ``agent:NAME``) invites once
  the citizen's picture has arrived (plus ``--invite-after`` seconds) and prints each
  ``member_invite_status``.
* An invited member (``--member``) goes ready, takes the first ``member_offer`` and holds the
  call through the mesh.
* A supervisor (``--supervise MODE``) asks for its team's calls until one has enough members,
  joins it in that mode, and may switch mode later (``--mode-after SECONDS:MODE``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from client_core.headless import CallScript, StopSignal, emit
from client_core.headless_mesh import MeshRunner
from client_core.mesh import MediaFanout
from client_core.signaling_client import SignalingClient
from wire import client_messages as C
from wire import member_messages as M
from wire import server_messages as S

__all__ = ["MemberPlan", "hold_as_member", "invite", "supervise", "take_member_offer"]


@dataclass
class MemberPlan:
    """What the headless agent does in calls of more than two."""

    invites: tuple[str, ...] = ()
    invite_after_s: float = 0.0
    member: bool = False
    supervise: M.SupervisorMode | None = None
    supervise_min_members: int = 2
    mode_after: tuple[float, M.SupervisorMode] | None = None


async def invite(client: SignalingClient, call_id: str, specs: tuple[str, ...]) -> None:
    """Send one ``member_invite`` per spec (``interpreters:LANG``, ``service:ID``,
    ``agent:NAME-or-id``) and print every status of them."""
    client.add_listener(_print_status)
    for spec in specs:
        kind, _, value = spec.partition(":")
        if kind == "interpreters":
            msg = M.MemberInvite(call_id=call_id, target="interpreters", role="interpreter",
                                 interpretation_language=value)  # type: ignore[arg-type]
        elif kind == "service":
            msg = M.MemberInvite(call_id=call_id, target="service", service=value)
        else:
            found = await client.request(M.MemberDirectoryGet(call_id=call_id))
            assert isinstance(found, M.MemberDirectory)
            agent = next((a for a in found.agents if value in (a.agent_id, a.name)), None)
            if agent is None:
                emit("invite_failed", spec=spec, reason="not logged in")
                continue
            role: M.InviteRole = (
                "interpreter" if agent.interpretation_languages else "second_clerk")
            msg = M.MemberInvite(call_id=call_id, target="agent", agent_id=agent.agent_id,
                                 role=role)
        client.send(msg)
        emit("invited", spec=spec)


def _print_status(message: S.ServerMessage) -> None:
    if isinstance(message, M.MemberInviteStatus):
        emit("invite_status", invite_id=message.invite_id, state=message.state,
             name=message.name, member_id=message.member_id)


async def take_member_offer(
    client: SignalingClient, stop: StopSignal, timeout: float
) -> M.CallMembers | None:
    """Go ready, accept the first ``member_offer``; the ``call_members`` that starts it."""
    offers: asyncio.Queue[M.MemberOffer] = asyncio.Queue()
    client.add_listener(
        lambda m: offers.put_nowait(m) if isinstance(m, M.MemberOffer) else None)
    client.send(C.AgentStateSet(state="ready"))
    getter = asyncio.ensure_future(offers.get())
    stopper = asyncio.ensure_future(stop.event.wait())
    done, _ = await asyncio.wait({getter, stopper}, timeout=timeout,
                                 return_when=asyncio.FIRST_COMPLETED)
    getter.cancel()
    stopper.cancel()
    if getter not in done:
        return None
    offer = getter.result()
    emit("member_offer", **offer.model_dump(mode="json", exclude={"ref", "type"}))
    waiter = asyncio.ensure_future(client.wait_for(M.CallMembers, lambda m: True, timeout=10))
    client.send(M.MemberOfferAccept(invite_id=offer.invite_id))
    return await waiter


async def supervise(
    client: SignalingClient, plan: MemberPlan, stop: StopSignal, timeout: float
) -> M.CallMembers | None:
    """Find a team call with enough members and join it in the planned mode."""
    assert plan.supervise is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline and not stop.event.is_set():
        found = await client.request(M.MemberDirectoryGet())
        assert isinstance(found, M.MemberDirectory)
        calls = [c for c in found.team_calls if c.members >= plan.supervise_min_members]
        if calls:
            waiter = asyncio.ensure_future(
                client.wait_for(M.CallMembers, lambda m: True, timeout=10))
            client.send(M.SupervisorJoin(call_id=calls[0].call_id, mode=plan.supervise))
            emit("supervise", call_id=calls[0].call_id, mode=plan.supervise)
            return await waiter
        await asyncio.sleep(0.5)
    return None


async def hold_as_member(
    client: SignalingClient, first: M.CallMembers, fanout: MediaFanout, script: CallScript,
    plan: MemberPlan, stop: StopSignal,
) -> None:
    """Hold an added member's part of the call, then leave (unless it ended first)."""
    runner = MeshRunner(client, first.call_id, fanout, original=None,
                        probe_interval_s=script.probe_interval_s,
                        stats_interval_s=script.stats_interval_s, name="member-mesh")
    ended = asyncio.Event()

    def on_end(message: S.ServerMessage) -> None:
        if isinstance(message, S.CallEnded) and message.call_id == first.call_id:
            emit("ended", reason=message.reason, by=message.by)
            ended.set()

    client.add_listener(on_end)
    runner.mesh.feed(first)
    switch: asyncio.Task[None] | None = None
    if plan.mode_after is not None:
        after, mode = plan.mode_after

        async def later() -> None:
            await asyncio.sleep(after)
            runner.mesh.set_mode(mode)
            emit("mode", mode=mode)

        switch = asyncio.ensure_future(later())
    try:
        await stop.hold(ended, script.hold_s)
        if not ended.is_set():
            runner.mesh.leave()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ended.wait(), 5)
    finally:
        if switch is not None:
            switch.cancel()
        client.remove_listener(on_end)
        await runner.close()
    emit("member_done", call_id=first.call_id, you=first.you, role=first.your_role)
