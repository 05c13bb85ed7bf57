"""Which address a request came from, believing ``X-Forwarded-For`` only from trusted proxies.

Behind the documented nginx proxy every request reaches the server from 127.0.0.1, so the
peer address alone would put every client in one login rate-limit bucket. The proxy appends
the address it saw to ``X-Forwarded-For``; anyone can send that header, though, so it is read
only when the peer is a configured trusted proxy, from the right: the first address that is
not itself a trusted proxy is the client's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

__all__ = ["Network", "client_address", "is_loopback_host", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Sequence[str]) -> list[Network]:
    """Networks from ``"10.0.0.0/8"`` or single addresses; ValueError on a bad one."""
    return [ipaddress.ip_network(item.strip(), strict=False) for item in items]


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client's address: ``peer``, or what a trusted proxy vouches for."""
    address = peer or "?"
    if not forwarded_for or not _trusted(address, trusted):
        return address
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed chain: trust nothing in it
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else address


def is_loopback_host(host: str) -> bool:
    """Whether a listening address is loopback only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
