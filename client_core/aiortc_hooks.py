"""The only module that reaches into aiortc's internals, and why each reach is needed.

aiortc 1.16 has no public way to replace what happens between an RTP packet's arrival and
the decoded frame, nor to choose the video encoder's settings.  Measured on the rural links
of ``bench/link_quality.py`` that costs a citizen a picture frozen a fifth of the time and
15-20 % of the clerk's words (issue 17), so :mod:`client_core.rtp_receive` and
:mod:`client_core.video_send` take those parts over, through these hooks:

* :func:`tap_receiver`: the receiver's jitter buffer (``RTCRtpReceiver.__jitter_buffer``) is
  replaced by a :class:`PacketTap`, a :class:`aiortc.jitterbuffer.JitterBuffer` subclass that
  hands every packet (already SRTP-decrypted, RTX-unwrapped and depayloaded by aiortc) to our
  receive path and never returns a frame, so aiortc's own decoder thread stays idle.  Its
  NACK generator (``__nack_generator``) is switched off: ours asks again for a lost
  retransmission, aiortc's asked once per new gap, for every packet still missing.
* :func:`send_nack` and :func:`send_pli` call the receiver's ``_send_rtcp_nack`` /
  ``_send_rtcp_pli`` (protected methods, not private).
* :func:`gate_retransmissions` wraps the sender's ``_retransmit`` (a protected method) so
  that a packet is resent at most once per round trip however many NACKs name it, and
  twice on a calm lossy link (:mod:`client_core.retransmit_gate`).
* :func:`use_encoder` sets the sender's encoder (``RTCRtpSender.__encoder``) before its first
  frame; aiortc creates one lazily only when none is set, and still feeds it keyframe
  requests (PLI/FIR) and the receiver's bandwidth estimate (REMB) as before.

Every hook checks the aiortc version (:data:`SUPPORTED`) and the attributes it touches; on
any mismatch it logs once and returns False, and the caller keeps aiortc's own behaviour:
an aiortc upgrade degrades call quality to what it was, it does not break calls.
``tests/media/test_aiortc_hooks.py`` fails loudly instead, so an upgrade is noticed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any, Final

import aiortc
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket

log = logging.getLogger(__name__)

SUPPORTED: Final = ("1.16.",)
"""aiortc releases whose internals these hooks were written against (and tested with)."""

_JITTER_BUFFER: Final = "_RTCRtpReceiver__jitter_buffer"
_NACK_GENERATOR: Final = "_RTCRtpReceiver__nack_generator"
_ENCODER: Final = "_RTCRtpSender__encoder"

PacketHandler = Callable[[RtpPacket], None]


@functools.cache
def supported() -> bool:
    """Whether the installed aiortc is one the hooks know."""
    version = str(getattr(aiortc, "__version__", ""))
    ok = version.startswith(SUPPORTED)
    if not ok:
        log.warning("aiortc %s is not one of %s: tuned media paths are off", version, SUPPORTED)
    return ok


class PacketTap(JitterBuffer):
    """Stands in for a receiver's jitter buffer: every packet goes to ``handler``.

    aiortc calls :meth:`add` for each media packet after its RTCP statistics, RTX unwrapping
    and depayloading (``packet._data``); returning no frame leaves its decoder idle.
    """

    def __init__(self, handler: PacketHandler) -> None:
        super().__init__(capacity=2)
        self.handler = handler
        self.packets = 0

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        self.packets += 1
        try:
            self.handler(packet)
        except Exception:
            # Never into aiortc's packet loop: it would stop the whole transport.
            log.exception("receive path failed on a packet")
        return False, None


def tap_receiver(receiver: RTCRtpReceiver, handler: PacketHandler) -> PacketTap | None:
    """Route ``receiver``'s packets to ``handler`` instead of aiortc's jitter buffer."""
    if not supported() or not hasattr(receiver, _JITTER_BUFFER):
        return None
    if not all(hasattr(receiver, m) for m in ("_send_rtcp_nack", "_send_rtcp_pli")):
        return None
    tap = PacketTap(handler)
    setattr(receiver, _JITTER_BUFFER, tap)
    if hasattr(receiver, _NACK_GENERATOR):
        setattr(receiver, _NACK_GENERATOR, None)
    return tap


def _spawn(coro: Any) -> None:
    task = asyncio.ensure_future(coro)
    _pending.add(task)
    task.add_done_callback(_pending.discard)


_pending: set[asyncio.Future[Any]] = set()


def send_nack(receiver: RTCRtpReceiver, media_ssrc: int, lost: list[int]) -> None:
    """Ask the sender of ``media_ssrc`` to retransmit the RTP sequence numbers ``lost``."""
    if lost:
        _spawn(receiver._send_rtcp_nack(media_ssrc, lost))


def send_pli(receiver: RTCRtpReceiver, media_ssrc: int) -> None:
    """Ask the sender of ``media_ssrc`` for a keyframe (RTCP Picture Loss Indication)."""
    _spawn(receiver._send_rtcp_pli(media_ssrc))


def use_encoder(sender: RTCRtpSender, encoder: Any) -> bool:
    """Make ``sender`` encode with ``encoder`` (call before its first frame)."""
    if not supported() or not hasattr(sender, _ENCODER):
        return False
    if getattr(sender, _ENCODER) is not None:
        return False  # already encoding: too late to swap without a glitch
    setattr(sender, _ENCODER, encoder)
    return True


def gate_retransmissions(sender: RTCRtpSender, copies: Callable[[int], int]) -> bool:
    """Resend a packet a NACK asks for as many times as ``copies(sequence_number)`` says
    (0: not now)."""
    if not supported() or not callable(getattr(sender, "_retransmit", None)):
        return False
    resend = sender._retransmit

    async def _retransmit(sequence_number: int) -> None:
        for _ in range(copies(sequence_number)):
            await resend(sequence_number)

    setattr(sender, "_retransmit", _retransmit)  # noqa: B010 (an instance's method)
    return True
