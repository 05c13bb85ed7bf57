"""The call's control data channel "control" (ordered, reliable), created by the offerer.

Data channel limits: aiortc refuses a message larger than the remote's ``max-message-size``
(aiortc advertises 256 KiB, Chromium 256 KiB, and the RFC 8841 default when a peer says
nothing is 64 KiB), so :data:`MAX_MESSAGE_BYTES` is 64 KiB.  Send photos in
:data:`CHUNK_BYTES` (16 KiB) pieces: the channel is ordered, and a chat line queued behind one
large message would wait for all of it.  Watch :attr:`ControlChannel.buffered_amount` to pace
a large transfer.  The ``link`` reports of :mod:`client_core.control` are the media paths'
own and go to ``on_link_report``, never to the application.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any, Final

from aiortc import RTCDataChannel

from client_core.control import LinkReport, parse_control
from client_core.errors import ClientError
from client_core.prepared_offer import CONTROL_CHANNEL

log = logging.getLogger("client_core.peer")

MAX_MESSAGE_BYTES: Final = 64 * 1024
CHUNK_BYTES: Final = 16 * 1024


class ControlChannelClosed(ClientError, ConnectionError):
    """The control data channel is not open (yet, or any more)."""


class ControlChannel:
    """One peer connection's control channel: JSON and binary messages both ways."""

    def __init__(
        self,
        name: str,
        on_message: Callable[[Any], None] | None,
        on_bytes: Callable[[bytes], None] | None,
        on_link_report: Callable[[float], None],
    ) -> None:
        self.name = name
        self.on_message = on_message
        self.on_bytes = on_bytes
        self.on_link_report = on_link_report
        self.open = asyncio.Event()
        self.channel: RTCDataChannel | None = None

    def offered(self, channel: RTCDataChannel) -> None:
        """The remote opened a data channel: ours if it is labelled "control"."""
        if channel.label != CONTROL_CHANNEL:
            log.warning("%s: ignoring data channel %r", self.name, channel.label)
            channel.close()
            return
        self.attach(channel)

    def attach(self, channel: RTCDataChannel) -> None:
        """Use ``channel`` (the one we created, or the remote's)."""
        self.channel = channel
        channel.on("open", self.open.set)
        channel.on("close", self.open.clear)
        channel.on("message", self._on_message)
        if channel.readyState == "open":
            self.open.set()

    def _on_message(self, message: str | bytes) -> None:
        try:
            if isinstance(message, bytes):
                if self.on_bytes is not None:
                    self.on_bytes(message)
                return
            try:
                obj = json.loads(message)
            except ValueError:
                log.warning("%s: dropped a control message that is not JSON", self.name)
                return
            if isinstance(obj, dict) and obj.get("type") == "link":
                report = parse_control(obj)
                if isinstance(report, LinkReport):
                    self.on_link_report(report.queue_ms)
                return
            if self.on_message is not None:
                self.on_message(obj)
        except Exception:
            log.exception("%s: control message callback failed", self.name)

    def _open_channel(self, size: int) -> RTCDataChannel:
        if size > MAX_MESSAGE_BYTES:
            raise ValueError(f"message of {size} bytes exceeds {MAX_MESSAGE_BYTES}; chunk it")
        channel = self.channel
        if channel is None or channel.readyState != "open":
            raise ControlChannelClosed(f"{self.name}: control channel is not open")
        return channel

    def send_json(self, obj: Any) -> None:
        """Send one JSON message (at most :data:`MAX_MESSAGE_BYTES` encoded)."""
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        self._open_channel(len(text.encode())).send(text)

    def send_bytes(self, data: bytes) -> None:
        """Send one binary message (at most :data:`MAX_MESSAGE_BYTES`)."""
        self._open_channel(len(data)).send(data)

    @property
    def buffered_amount(self) -> int:
        """Bytes queued on the channel and not yet sent."""
        return 0 if self.channel is None else int(self.channel.bufferedAmount)

    def close(self) -> None:
        """Close the channel (the connection closes next)."""
        if self.channel is not None:
            self.channel.close()
