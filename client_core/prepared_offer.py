"""The offerer's peer connection made before its call: candidates gathered, offer ready.

On a rural link gathering is the first thing a call waits for after the clerk's accept: a
STUN binding and a TURN allocation (two round trips, the first one refused for want of
credentials) to a server 150 ms away, about 0.4 s before the kiosk's offer can leave
(issue 17).  A kiosk knows long before that a call may come (its citizen joined a queue),
so it makes the connection then (:class:`~client_core.media_primer.MediaPrimer`) and
:class:`~client_core.peer.CallPeer` adopts it when the call starts: the offer goes out at
once.

A :class:`PreparedOffer` has what an offering ``CallPeer`` would add (a video transceiver with
our codec order, an audio transceiver, the control channel), but no tracks: the camera and
microphone stay with whoever uses them while the citizen waits (the kiosk's device check),
and the ``CallPeer`` puts its tracks on the senders when it adopts the connection.  Nothing
is sent meanwhile but the TURN allocation's refreshes; aiortc's senders start after DTLS.

:class:`Freshness` (sans-I/O) says when a prepared connection is too old to use: its TURN
credentials must leave a call most of their lifetime (a call runs on them), and a TURN
allocation idle for longer than the refresh period would depend on a refresh nobody would
notice failing (aioice closes the relay when one fails).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from aiortc import RTCDataChannel, RTCPeerConnection, RTCRtpTransceiver

from client_core.rtc_config import (
    IceServerConfig,
    IceTransportPolicy,
    codec_preferences,
    rtc_configuration,
)

log = logging.getLogger(__name__)

CONTROL_CHANNEL: Final = "control"
"""Label of the call's control data channel (created by the offerer)."""
_CLOSE_TIMEOUT_S: Final = 5.0


@dataclass(frozen=True)
class Freshness:
    """How long a prepared connection stays good to start a call with.

    ``max_age_s`` (300 s) keeps a prepared TURN allocation inside its first refresh period
    (aioice refreshes at 5/6 of the 600 s lifetime): an allocation used for a call was seen
    to work.  At most half of the credentials' ``ttl_s`` may be spent before the call.
    """

    max_age_s: float = 300.0

    def lifetime_s(self, ttl_s: float) -> float:
        """How long after it was prepared a connection may still start a call."""
        return max(0.0, min(self.max_age_s, ttl_s / 2))

    def usable(self, prepared_at: float, ttl_s: float, now: float) -> bool:
        """Whether a connection prepared at ``prepared_at`` may still start a call."""
        return now - prepared_at < self.lifetime_s(ttl_s)

    def renew_at(self, prepared_at: float, ttl_s: float) -> float:
        """When to have a fresh one ready instead (a little before it stops being usable)."""
        life = self.lifetime_s(ttl_s)
        return prepared_at + life - min(10.0, life / 10)


class PreparedOffer:
    """One ``RTCPeerConnection`` with its offer made (see the module docstring).

    ``await prepare()`` gathers and makes the offer; a ``CallPeer`` takes the connection with
    :meth:`adopt` (it closes it from then on); otherwise ``await close()``.
    """

    def __init__(
        self,
        ice_servers: Sequence[IceServerConfig],
        ice_transport_policy: IceTransportPolicy = "all",
        *,
        ttl_s: float = 3600.0,
        video_codecs: Sequence[str] = ("VP8", "H264"),
        name: str = "prepared",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._clock = clock
        self.ice_transport_policy = ice_transport_policy
        self.ttl_s = ttl_s
        self.video_codecs = tuple(video_codecs)
        self.pc = RTCPeerConnection(rtc_configuration(ice_servers, ice_transport_policy))
        self.video_tx: RTCRtpTransceiver = self.pc.addTransceiver("video", direction="sendrecv")
        self.video_tx.setCodecPreferences(codec_preferences("video", self.video_codecs))
        self.audio_tx: RTCRtpTransceiver = self.pc.addTransceiver("audio", direction="sendrecv")
        self.channel: RTCDataChannel = self.pc.createDataChannel(CONTROL_CHANNEL, ordered=True)
        self.sdp: str | None = None
        self.prepared_at: float | None = None
        """When the offer was ready (by ``clock``, ``time.monotonic`` unless given)."""
        self._adopted = False
        self._closed = False

    async def prepare(self) -> str:
        """Gather the candidates and make the offer; returns its SDP."""
        began = time.monotonic()
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self.sdp = str(self.pc.localDescription.sdp)
        self.prepared_at = self._clock()
        log.info("%s offer ready in %.0f ms", self.name, (time.monotonic() - began) * 1000)
        return self.sdp

    def ready(self, policy: IceTransportPolicy, video_codecs: Sequence[str]) -> bool:
        """Whether a call with this ICE policy and codec order can start on it now."""
        return (
            self.sdp is not None and not self._adopted and not self._closed
            and self.pc.connectionState == "new"
            and policy == self.ice_transport_policy
            and tuple(video_codecs) == self.video_codecs
        )

    def adopt(self) -> RTCPeerConnection:
        """Hand the connection over to a ``CallPeer`` (which closes it from now on)."""
        if self._adopted or self._closed or self.sdp is None:
            raise RuntimeError(f"{self.name}: nothing to adopt")
        self._adopted = True
        return self.pc

    @property
    def adopted(self) -> bool:
        """Whether a ``CallPeer`` took the connection."""
        return self._adopted

    async def close(self) -> None:
        """Close the connection (and free its TURN allocation), unless a call took it."""
        if self._adopted or self._closed:
            return
        self._closed = True
        closing = asyncio.ensure_future(self.pc.close())
        with contextlib.suppress(Exception):
            # Shielded, for the reason CallPeer.close gives.
            await asyncio.wait_for(asyncio.shield(closing), _CLOSE_TIMEOUT_S)
        log.info("%s closed unused", self.name)
