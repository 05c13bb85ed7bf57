"""A client's list of signaling servers, and moving on from one that does not answer.

A kiosk's and a clerk's ``--server`` may name several servers, comma-separated: the nodes of a
cluster without a proxy in front, or the proxy with a node as a last resort. Both apps read the
list here, so a clerk's console fails over the way a kiosk does:

* :func:`server_list` splits and checks the list;
* :func:`first_answering` makes an HTTP call (a login) to each server in turn until one
  answers: a server that is down is skipped, but an answer (even a refusal) is the answer;
* :func:`ws_urls` gives the WebSocket URLs for
  :class:`~client_core.signaling_client.SignalingClient`, starting from the server that
  answered, so its reconnects go round the same list.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import aiohttp

from client_core.errors import ClientError

__all__ = ["first_answering", "server_list", "ws_url_for", "ws_urls"]

log = logging.getLogger("etapiste.client")

_T = TypeVar("_T")

UNREACHABLE = (OSError, aiohttp.ClientConnectionError, TimeoutError)
"""What says a server is not there (not what it answered)."""


def server_list(spec: str | Sequence[str]) -> tuple[str, ...]:
    """The servers named by ``spec`` (comma-separated, or a sequence), in order."""
    listed = spec.split(",") if isinstance(spec, str) else list(spec)
    urls = tuple(u.strip() for u in listed if u.strip())
    if not urls:
        raise ValueError("no server URL")
    return urls


def ws_url_for(base_url: str) -> str:
    """The WebSocket URL of a server's base URL (``http`` → ``ws``, ``https`` → ``wss``)."""
    return base_url.replace("http", "ws", 1).rstrip("/") + "/ws"


def ws_urls(bases: Sequence[str], first: str | None = None) -> list[str]:
    """The WebSocket URLs of ``bases``, starting from ``first`` and going round."""
    start = bases.index(first) if first in bases else 0
    return [ws_url_for(b) for b in [*bases[start:], *bases[:start]]]


async def first_answering(
    bases: Sequence[str], call: Callable[[str], Awaitable[_T]]
) -> tuple[str, _T]:
    """``call(base)`` on each server in turn until one answers; that server and its answer.

    A server that cannot be reached (refused, reset, timed out) is skipped; anything else it
    raises (a refusal, a bad certificate) is its answer and is raised. When none answers, the
    last server's error is raised."""
    last: BaseException | None = None
    for base in bases:
        try:
            return base, await call(base)
        except UNREACHABLE as exc:
            if isinstance(exc, ClientError) or _untrusted(exc):
                # A refusal (AuthFailed is a PermissionError, an OSError) or a certificate
                # problem: the server answered, or the next one would say the same.
                raise
            log.warning("server not answering, trying the next: %s (%s)", base,
                        type(exc).__name__)
            last = exc
    assert last is not None
    raise last


def _untrusted(exc: BaseException) -> bool:
    return isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError)
