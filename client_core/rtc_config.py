"""ICE servers and codec order for every peer connection of ours.

ICE servers are always explicit.  ``RTCIceGatherer`` only substitutes aiortc's default (a
public Google STUN server) when ``iceServers`` is ``None`` (``if iceServers is None`` in
``aiortc/rtcicetransport.py``); an empty list gathers host candidates only.  Without that, a
kiosk with no internet waits 5 s for gathering on each side.  Video codecs go in preference
order, VP8 first (6 ms per 640x480 frame against 28 ms for H.264 here), H.264 kept for peers
that need it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiortc import RTCConfiguration, RTCIceServer, RTCRtpSender
from aiortc.rtcconfiguration import RTCBundlePolicy, RTCIceTransportPolicy

IceTransportPolicy = Literal["all", "relay"]


@dataclass(frozen=True, slots=True)
class IceServerConfig:
    """One STUN or TURN server as the signaling server hands it out.

    aiortc uses only the first STUN and the first TURN URL of the whole
    list; put the preferred ones first.
    """

    urls: Sequence[str]
    """One URL or several; kept as a tuple so the config stays immutable."""
    username: str | None = None
    credential: str | None = None

    def __post_init__(self) -> None:
        urls = (self.urls,) if isinstance(self.urls, str) else tuple(self.urls)
        object.__setattr__(self, "urls", urls)

    def to_rtc(self) -> RTCIceServer:
        """The aiortc form of this server."""
        return RTCIceServer(
            urls=list(self.urls), username=self.username, credential=self.credential
        )


def rtc_configuration(
    ice_servers: Sequence[IceServerConfig], policy: IceTransportPolicy
) -> RTCConfiguration:
    """An ``RTCConfiguration`` with an explicit (possibly empty) server list."""
    return RTCConfiguration(
        iceServers=[server.to_rtc() for server in ice_servers],
        iceTransportPolicy=RTCIceTransportPolicy(policy),
        # One ICE and DTLS transport for audio, video and data instead of three: every peer
        # we talk to (aiortc, browsers) bundles, and set-up to the first frame drops from
        # about 190 to 120 ms on loopback here.
        bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
    )


def codec_preferences(kind: str, order: Sequence[str]) -> list[Any]:
    """aiortc's codecs of ``kind`` in the order of ``order`` (names such as "VP8"), RTX last."""
    codecs = RTCRtpSender.getCapabilities(kind).codecs
    ranked: list[Any] = []
    for name in order:
        matches = [c for c in codecs if c.mimeType.lower() == f"{kind}/{name}".lower()]
        if not matches:
            raise ValueError(f"aiortc has no {kind} codec {name!r}")
        ranked += matches
    # RTX rides along so lost packets are retransmitted on their own SSRC.
    ranked += [c for c in codecs if c.mimeType.lower() == f"{kind}/rtx"]
    return ranked
