"""Shared helpers for the media tests: build and connect two CallPeers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from client_core.media_synthetic import SyntheticAudioTrack, SyntheticVideoTrack
from client_core.peer import CallPeer


@dataclass
class Side:
    peer: CallPeer
    video: SyntheticVideoTrack
    audio: SyntheticAudioTrack
    messages: list[Any] = field(default_factory=list)
    blobs: list[bytes] = field(default_factory=list)


def make_side(
    name: str, width: int = 640, height: int = 480, *, send_video: bool = True, **kwargs: Any
) -> Side:
    video = SyntheticVideoTrack(width, height, stamp_frames=True)  # the tests measure
    audio = SyntheticAudioTrack()
    side = Side(peer=None, video=video, audio=audio)  # type: ignore[arg-type]
    side.peer = CallPeer(
        [],
        video=video if send_video else None,
        audio=audio,
        name=name,
        on_message=side.messages.append,
        on_bytes=side.blobs.append,
        **kwargs,
    )
    return side


async def negotiate(a: CallPeer, b: CallPeer, timeout: float = 3.0) -> None:
    offer = await asyncio.wait_for(a.create_offer(), timeout)
    answer = await asyncio.wait_for(b.accept_offer(offer), timeout)
    await asyncio.wait_for(a.accept_answer(answer), timeout)
    await asyncio.wait_for(asyncio.gather(a.connected.wait(), b.connected.wait()), timeout)


async def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> None:
    async def poll() -> None:
        while True:
            if predicate():
                return
            await asyncio.sleep(step)

    await asyncio.wait_for(poll(), timeout)


def other_tasks() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Side, Side]]:
    """Two connected peers (a offers, b answers) with synthetic media."""
    a, b = make_side("a"), make_side("b")
    try:
        await negotiate(a.peer, b.peer)
        yield a, b
    finally:
        await a.peer.close()
        await b.peer.close()


@pytest.fixture
def asyncio_errors(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """Errors logged by asyncio (e.g. "Task was destroyed but it is pending")."""
    caplog.set_level(logging.WARNING)

    def errors() -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.name == "asyncio" and r.levelno >= logging.WARNING
        ]

    return errors
