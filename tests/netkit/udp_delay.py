"""A small user-space UDP relay that delays datagrams (this kernel has no netem).

It listens on one address and forwards to one upstream (e.g. the TURN server); every client
address gets its own upstream socket, so the upstream sees one source port per client (as
through a NAT) and answers are sent back to the right client. Each datagram is held for
``delay_ms`` (plus uniform ``jitter_ms`` if given) in each direction; order is kept unless
``reorder`` is set, as on a real link where jitter comes from queueing.

Bursty loss: with ``burst`` (a :class:`GilbertElliott` model) each direction runs its own
two-state chain per datagram: in the good state nothing is lost, ``p`` moves it to the bad
state, where each datagram is lost with probability ``h`` and ``r`` moves it back. The
average loss is ``h * p / (p + r)``; the mean stay in the bad state is ``1 / r`` datagrams.

With an nftables ``redirect`` on the router in front of a kiosk (see
:func:`tests.netkit.impair.redirect_udp`) it is transparent: the kiosk still talks to the
TURN server's address, and conntrack rewrites the relay's answers to come from it.

As a program (bounded in time by ``--max-seconds``)::

    python -m tests.netkit.udp_delay --listen 10.77.2.1:3478 --upstream 10.77.1.3:3478 \
        --delay-ms 75 --max-seconds 600

prints ``{"event": "ready", ...}`` once listening and ``{"event": "stats", ...}`` when it
stops (SIGTERM/SIGINT or the time limit).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import time
from dataclasses import dataclass, field
from typing import Any

Addr = tuple[str, int]


@dataclass(frozen=True)
class GilbertElliott:
    """Two-state burst loss: good -> bad with ``p``, bad -> good with ``r``, loss ``h`` in bad."""

    p: float
    r: float
    h: float = 1.0

    @classmethod
    def for_average(cls, loss: float, burst_packets: float = 5.0, h: float = 0.8) -> GilbertElliott:
        """A chain losing ``loss`` on average in bad spells of ``burst_packets`` datagrams."""
        r = 1.0 / burst_packets
        bad = loss / h  # stationary probability of the bad state
        return cls(p=r * bad / (1.0 - bad), r=r, h=h)

    @property
    def average(self) -> float:
        return self.h * self.p / (self.p + self.r)


class _BurstLoss:
    def __init__(self, model: GilbertElliott, rng: random.Random) -> None:
        self.model = model
        self.rng = rng
        self.bad = False
        self.dropped = 0

    def drop(self) -> bool:
        m = self.model
        self.bad = (self.rng.random() >= m.r) if self.bad else (self.rng.random() < m.p)
        lost = self.bad and self.rng.random() < m.h
        self.dropped += lost
        return lost


@dataclass
class RelayStats:
    up_packets: int = 0
    down_packets: int = 0
    up_bytes: int = 0
    down_bytes: int = 0
    clients: int = 0
    max_clients: int = 0
    up_dropped: int = 0
    down_dropped: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class _Scheduler:
    """Sends datagrams after a delay, in order per direction unless reordering is allowed."""

    def __init__(self, delay_s: float, jitter_s: float, reorder: bool, rng: random.Random):
        self.delay_s = delay_s
        self.jitter_s = jitter_s
        self.reorder = reorder
        self.rng = rng
        self._last_due = 0.0

    def schedule(self, send: Any, *args: Any) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + self.delay_s
        if self.jitter_s:
            due += self.rng.uniform(0.0, self.jitter_s)
        if not self.reorder:
            # Strictly increasing: asyncio's timer heap does not keep equal times in order.
            due = max(due, self._last_due + 1e-6)
            self._last_due = due
        loop.call_at(due, _safe_send, send, *args)


def _safe_send(send: Any, *args: Any) -> None:
    with contextlib.suppress(OSError, AttributeError, RuntimeError):
        send(*args)


class _Upstream(asyncio.DatagramProtocol):
    def __init__(self, relay: UdpDelayRelay, client: Addr):
        self.relay = relay
        self.client = client
        self.transport: asyncio.DatagramTransport | None = None
        self.last_used = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Addr) -> None:
        self.last_used = time.monotonic()
        self.relay._to_client(data, self.client)

    def error_received(self, exc: Exception) -> None:  # ICMP unreachable and such
        pass


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, relay: UdpDelayRelay):
        self.relay = relay

    def datagram_received(self, data: bytes, addr: Addr) -> None:
        self.relay._from_client(data, addr)

    def error_received(self, exc: Exception) -> None:
        pass


@dataclass
class UdpDelayRelay:
    """``listen`` -> (delay) -> ``upstream`` and back. ``await start()``, ``await stop()``."""

    listen: Addr
    upstream: Addr
    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    reorder: bool = False
    idle_timeout_s: float = 120.0
    seed: int | None = None
    burst: GilbertElliott | None = None
    stats: RelayStats = field(default_factory=RelayStats)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        d, j = self.delay_ms / 1000, self.jitter_ms / 1000
        self._up = _Scheduler(d, j, self.reorder, rng)
        self._down = _Scheduler(d, j, self.reorder, rng)
        self._up_loss = _BurstLoss(self.burst, rng) if self.burst else None
        self._down_loss = _BurstLoss(self.burst, rng) if self.burst else None
        self._listener: asyncio.DatagramTransport | None = None
        self._clients: dict[Addr, _Upstream] = {}
        self._pending: dict[Addr, list[bytes]] = {}
        self._reaper: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> Addr:
        assert self._listener is not None
        host, port = self._listener.get_extra_info("sockname")[:2]
        return host, port

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._listener, _ = await loop.create_datagram_endpoint(
            lambda: _Listener(self), local_addr=self.listen
        )
        self._reaper = asyncio.create_task(self._reap())

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
        for task in list(self._tasks):
            task.cancel()
        for up in self._clients.values():
            if up.transport is not None:
                up.transport.close()
        self._clients.clear()
        if self._listener is not None:
            self._listener.close()

    def _from_client(self, data: bytes, client: Addr) -> None:
        self.stats.up_packets += 1
        self.stats.up_bytes += len(data)
        if self._up_loss is not None and self._up_loss.drop():
            self.stats.up_dropped += 1
            return
        up = self._clients.get(client)
        if up is not None and up.transport is not None and client not in self._pending:
            up.last_used = time.monotonic()
            self._up.schedule(up.transport.sendto, data)
            return
        self._pending.setdefault(client, []).append(data)
        if up is None:
            up = _Upstream(self, client)
            self._clients[client] = up
            self.stats.clients = len(self._clients)
            self.stats.max_clients = max(self.stats.max_clients, self.stats.clients)
            task = asyncio.ensure_future(self._open(up))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _open(self, up: _Upstream) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.create_datagram_endpoint(lambda: up, remote_addr=self.upstream)
        except OSError:
            self._clients.pop(up.client, None)
            self._pending.pop(up.client, None)
            return
        for data in self._pending.pop(up.client, []):
            self._up.schedule(up.transport.sendto, data)  # type: ignore[union-attr]

    def _to_client(self, data: bytes, client: Addr) -> None:
        self.stats.down_packets += 1
        self.stats.down_bytes += len(data)
        if self._down_loss is not None and self._down_loss.drop():
            self.stats.down_dropped += 1
            return
        if self._listener is not None:
            self._down.schedule(self._listener.sendto, data, client)

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(min(5.0, self.idle_timeout_s))
            now = time.monotonic()
            for client, up in list(self._clients.items()):
                if now - up.last_used > self.idle_timeout_s:
                    if up.transport is not None:
                        up.transport.close()
                    del self._clients[client]
            self.stats.clients = len(self._clients)


def _addr(text: str) -> Addr:
    host, _, port = text.rpartition(":")
    return host, int(port)


async def _serve(args: argparse.Namespace) -> None:
    burst = None
    if args.burst_loss_pct > 0:
        burst = GilbertElliott.for_average(args.burst_loss_pct / 100, args.burst_packets)
    relay = UdpDelayRelay(
        _addr(args.listen), _addr(args.upstream), args.delay_ms, args.jitter_ms,
        reorder=args.reorder, seed=args.seed, burst=burst,
    )
    await relay.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"event": "ready", "listen": relay.address, "upstream": args.upstream,
                      "delay_ms": args.delay_ms, "jitter_ms": args.jitter_ms}), flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.max_seconds)
    await relay.stop()
    print(json.dumps({"event": "stats", **relay.stats.as_dict()}), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.netkit.udp_delay")
    parser.add_argument("--listen", required=True, help="IP:PORT to listen on")
    parser.add_argument("--upstream", required=True, help="IP:PORT to forward to")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="one-way delay")
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--reorder", action="store_true")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--burst-loss-pct", type=float, default=0.0,
                        help="Gilbert-Elliott average loss %% each way (0: none)")
    parser.add_argument("--burst-packets", type=float, default=5.0,
                        help="mean length of a bad spell, datagrams")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="stop after this")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
