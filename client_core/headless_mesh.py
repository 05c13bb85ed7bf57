"""A headless member's media in a call of any size, reported as JSON lines.

Used by the headless kiosk and agent with ``--mesh``: the pair the call began with (kiosk ↔
answering clerk) if this side is in it, plus a :class:`~client_core.mesh.MeshCall` for every
other member. Lines it prints:

* ``members``: every ``call_members`` (who is in the call, roles, supervisor mode);
* ``pair_<event>`` (``pair_connected``, ``pair_first_frame``, ``pair_media_failed``...): a pair
  session's events with the other member's id;
* ``probe`` every ``--probe-interval`` seconds: for each other member, the level of every
  test tone in one second of what arrived from them (:mod:`client_core.tone_probe`), the
  decoded frame rate and the bit rates in and out of that pair.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import Any

from client_core.call import CallSession
from client_core.call_events import CallEvent, StatsSampled, event_fields
from client_core.headless import emit
from client_core.mesh import MediaFanout, MeshCall
from client_core.peer import CallPeer
from client_core.signaling_client import SignalingClient
from client_core.tone_probe import tone_levels
from wire import member_messages as M

__all__ = ["TEST_TONES", "MeshRunner"]

TEST_TONES = (450.0, 650.0, 950.0, 1250.0)
"""The tones test members send (kiosk, clerk, interpreter, supervisor); none is a harmonic of
another within the probe's ±10 Hz."""

_PROBE_S = 1.0


class MeshRunner:
    """Runs the mesh beside the original pair and probes what arrives from each member."""

    def __init__(
        self, client: SignalingClient, call_id: str, fanout: MediaFanout, *,
        original: CallSession | None, probe_interval_s: float, stats_interval_s: float,
        name: str,
    ) -> None:
        self.original = original
        self.probe_interval_s = probe_interval_s
        self.mesh = MeshCall(
            client, call_id, fanout, listener=self._pair_event, on_members=self._members,
            stats_interval_s=stats_interval_s, name=name,
        )
        self._stats: dict[str, StatsSampled] = {}
        self._task: asyncio.Task[None] | None = None
        if probe_interval_s > 0:
            self._task = asyncio.ensure_future(self._probe_loop())

    def original_member(self) -> str:
        """The member id of the other side of the original pair ("peer" before any
        ``call_members``)."""
        want = {"kiosk": "clerk", "clerk": "kiosk"}.get(self.mesh.your_role or "")
        found = next((m.member_id for m in self.mesh.members if m.role == want), None)
        return found or "peer"

    def peers(self) -> dict[str, CallPeer]:
        """The current peer connection with each other member, by member id."""
        out: dict[str, CallPeer] = {}
        if self.original is not None and self.original.peer is not None \
                and not self.original.ended.is_set():
            out[self.original_member()] = self.original.peer
        for member_id, link in self.mesh.pairs.items():
            if link.session.peer is not None:
                out[member_id] = link.session.peer
        return out

    def on_original_event(self, event: CallEvent) -> None:
        """Keep the original pair's stats for the probe lines."""
        if isinstance(event, StatsSampled):
            self._stats["__original__"] = event

    async def close(self) -> None:
        """Stop probing and close every pair."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.mesh.close()

    # --------------------------------------------------------------------- internals

    def _members(self, message: M.CallMembers) -> None:
        emit(
            "members", you=message.you, your_role=message.your_role, change=message.event,
            about=message.member_id,
            members=[
                {"member_id": m.member_id, "role": m.role, "name": m.name,
                 "mode": m.supervisor_mode, "connected": m.connected,
                 "send_audio": m.pair.send_audio if m.pair else None}
                for m in message.members
            ],
        )

    def _pair_event(self, member_id: str, event: object) -> None:
        if isinstance(event, StatsSampled):
            self._stats[member_id] = event
            return
        name = getattr(event, "name", None)
        if name is not None:
            emit(f"pair_{name}", member=member_id, **event_fields(event))  # type: ignore[arg-type]

    async def _probe_loop(self) -> None:
        while True:
            await asyncio.sleep(max(0.0, self.probe_interval_s - _PROBE_S))
            peers = self.peers()
            for peer in peers.values():
                peer.audio_sink.record(_PROBE_S + 0.2)
            await asyncio.sleep(_PROBE_S + 0.3)
            emit("probe", roles={m.member_id: m.role for m in self.mesh.members},
                 you=self.mesh.you, pairs={mid: self._figures(mid, p) for mid, p in peers.items()})

    def _figures(self, member_id: str, peer: CallPeer) -> dict[str, Any]:
        sink = peer.audio_sink
        levels = tone_levels(sink.recorded(), sink.record_rate, TEST_TONES)
        original = self.original is not None and peer is self.original.peer
        key = "__original__" if original else member_id
        stats = self._stats.get(key)
        sample = stats.sample if stats is not None else None
        return {
            "tones": {str(int(f)): (round(v, 1) if math.isfinite(v) else None)
                      for f, v in levels.items()},
            "frames_received": peer.video_sink.frames_received,
            "audio_frames": sink.frames_received,
            "fps_decoded": None if sample is None else sample.fps_decoded,
            "in_kbps": None if sample is None else sample.bitrate_in_kbps,
            "out_kbps": None if sample is None else sample.bitrate_out_kbps,
        }
