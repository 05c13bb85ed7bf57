#!/usr/bin/env python3
"""Signaling load: thousands of kiosks and a hundred agents against one signaling server.

Three processes, so that neither side's CPU distorts the other's figures:

* this process seeds a fresh data directory (``--kiosks`` kiosks spread over the catalogue's
  sites, ``--agents`` agents with every skill and fi/sv/en), starts the server with
  ``python -m signaling serve`` and stops it with SIGTERM at the end;
* the server;
* the load generator: this same script with ``--loadgen CONFIG``. It opens every kiosk and
  agent socket with raw ``websockets`` connections (at most ``--concurrency`` handshakes at a
  time), answers heartbeats, and drives the storm.

Phases and figures:

1. **Idle**: server RSS (psutil) before the first connection and after all of them have been
   connected and heartbeating for ``--idle`` seconds:
   ``rss_per_connection_kib = (rss_after - rss_before) / connections / 1024``.
2. **Storm**: every agent goes ready and accepts every offer at once; every kiosk sends
   ``queue_join`` (round robin over service × language), spread evenly over
   ``--join-window`` seconds. On ``call_start`` the kiosk hangs up at once, the agent sends
   ``wrapup_done`` when told it is in wrap-up, and is offered the next citizen. The storm ends
   when every kiosk has had its call ended, or after ``--duration`` seconds.

   * ``offer_latency_ms``: a kiosk's ``queue_join`` sent -> the ``offer`` naming that kiosk
     received by an agent (the offer carries the kiosk's unique display name). It includes
     queueing: with more kiosks than agents, most citizens wait for an agent to come free.
   * ``dispatch_latency_ms``: the server's reaction time alone: the later of the kiosk's
     ``queue_join`` and the agent's last ``agent_state ready``/``wrapup_done`` -> the offer.
   * ``server_cpu_percent``: server CPU time over the storm per wall second (one core = 100).
3. SIGTERM; ``server_exit_clean`` says whether it exited with code 0 within 10 s.

``errors`` counts every ``error`` message, every connection that failed or closed without the
load generator asking, every revoked offer and every kiosk that was never offered.

The catalogue's ``max_queue`` (10-30 per service and language, about 390 places in all) would
refuse most of a 2000-kiosk storm with ``queue_full``; by default the server gets a copy of
``deploy/catalogue.toml`` with ``max_queue`` raised to the number of kiosks. With
``--catalogue-limits`` the real catalogue is used and the load generator holds back each
kiosk's ``queue_join`` until its queue has room.

Argon2 makes a password login take about half a second of server CPU, so only the first agent
logs in through ``POST /api/login``; the others get sessions minted in the data directory with
the server's own session key (the same token a login would return).

Run from the project root::

    .venv/bin/python bench/signaling_load.py [--kiosks 2000] [--agents 100] [--json]

The JSON result is also written to ``bench/results/signaling_load.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "signaling_load.json"
CATALOGUE = ROOT / "deploy" / "catalogue.toml"
PASSWORD = "bench-password-2026"  # a throwaway benchmark account
SUBPROTOCOL = "etapiste.v1"
MAX_MESSAGE_BYTES = 4 * 64 * 1024
LANGUAGES = ("fi", "sv", "en")
SERVER_ENV = {
    "ETAPISTE_ALWAYS_OPEN": "true",
    "ETAPISTE_OFFER_TIMEOUT_S": "600",
    # Wrap-up ends only by the agent's wrapup_done, so the benchmark exercises that path.
    "ETAPISTE_WRAPUP_S": "600",
}


# ============================================================================ orchestrator


@dataclass
class Seeded:
    """What :func:`seed` created."""

    catalogue: Path
    kiosks: list[dict[str, str]]
    agents: list[dict[str, str]]
    queue_caps: dict[str, int]
    login_username: str


def _ensure_import_path() -> None:
    # ``bench/signaling_load.py`` run as a script has bench/ on sys.path, not the project root.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def raise_fd_limit(needed: int) -> int:
    """Raise the soft open-files limit (children inherit it); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(f"need {needed} file descriptors, but the hard limit is {hard}")
    target = needed if hard == resource.RLIM_INFINITY else min(hard, max(needed, soft))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def write_catalogue(dest: Path, kiosks: int, keep_limits: bool) -> Path:
    """The catalogue the server runs with: the real one, or a copy with ``max_queue`` raised."""
    if keep_limits:
        return CATALOGUE
    text = CATALOGUE.read_text(encoding="utf-8")
    limit = min(10_000, max(kiosks, 1))
    text = re.sub(
        r"^(max_queue\s*=\s*)(\d+)",
        lambda m: f"{m.group(1)}{max(int(m.group(2)), limit)}",
        text,
        flags=re.MULTILINE,
    )
    dest.write_text(text, encoding="utf-8")
    return dest


def seed(data_dir: Path, catalogue_path: Path, n_kiosks: int, n_agents: int) -> Seeded:
    """Kiosks with unique names over every site, agents with every skill, agent sessions."""
    _ensure_import_path()
    from argon2 import PasswordHasher

    from signaling.catalogue import load_catalogue
    from signaling.credentials import SessionSigner, hash_password, load_or_create_key
    from signaling.settings import Settings
    from signaling.store import SqliteStore

    catalogue = load_catalogue(catalogue_path)
    sites = [s.id for s in catalogue.sites]
    pairs = [(s.id, lang) for s in catalogue.services for lang in s.languages]
    caps = {f"{s.id}|{lang}": s.max_queue for s in catalogue.services for lang in s.languages}
    skills = [s.id for s in catalogue.services]
    ttl = Settings(data_dir=data_dir).session_ttl_s
    signer = SessionSigner(load_or_create_key(data_dir / "session.key"), ttl)
    now = time.time()
    kiosks: list[dict[str, str]] = []
    agents: list[dict[str, str]] = []
    # Cheap argon2 parameters for the accounts whose sessions are minted here: nobody logs in
    # with them, and the default parameters would take half a second per account.
    cheap = hash_password(PASSWORD, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    store = SqliteStore.open(data_dir)
    try:
        store.seed_catalogue(catalogue, now=now)
        for i in range(n_kiosks):
            name = f"bench-kiosk-{i:05d}"
            service, language = pairs[i % len(pairs)]
            kiosk_id, token = store.create_kiosk(sites[i % len(sites)], name, now=now)
            kiosks.append(
                {"name": name, "id": kiosk_id, "token": token, "service": service,
                 "language": language}
            )
        for i in range(1, n_agents):
            username = f"bench-agent-{i:04d}"
            account_id = store.create_account(
                username, f"Bench Agent {i:04d}", "agent", cheap, skills, list(LANGUAGES),
                now=now,
            )
            session_id = store.create_session(account_id, ttl, now=now)
            token = signer.issue(session_id, account_id, "agent", now)
            agents.append({"name": username, "id": account_id, "token": token})
    finally:
        store.close()
    login_username = "bench-agent-0000"
    if n_agents > 0:
        # Default argon2 parameters: this one logs in through the HTTP API like a console.
        store = SqliteStore.open(data_dir)
        try:
            store.create_account(
                login_username, "Bench Agent 0000", "agent", hash_password(PASSWORD), skills,
                list(LANGUAGES), now=now,
            )
        finally:
            store.close()
    return Seeded(catalogue_path, kiosks, agents, caps, login_username)


def pinned(cpus: set[int] | None) -> Any:
    """A ``preexec_fn`` that binds the child to ``cpus`` (None: no binding). Set before exec,
    so every thread the child starts is bound too."""
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def pin_plan(pin: bool) -> dict[str, list[int]] | None:
    """With ``--pin``: the server on the first CPU this process may use, the load generator on
    the second (stands in for a load generator on another machine)."""
    if not pin:
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        raise SystemExit("--pin needs at least two CPUs")
    return {"server": [cpus[0]], "loadgen": [cpus[1]]}


def start_server(
    data_dir: Path, catalogue: Path, log_level: str, cpus: set[int] | None = None
) -> subprocess.Popen[bytes]:
    """``python -m signaling serve`` on an ephemeral loopback port, logging to the data dir."""
    env = dict(os.environ)
    env.update(SERVER_ENV)
    env.update(
        ETAPISTE_DATA_DIR=str(data_dir),
        ETAPISTE_PORT="0",
        ETAPISTE_HOST="127.0.0.1",
        ETAPISTE_CATALOGUE=str(catalogue),
        ETAPISTE_LOG_LEVEL=log_level,
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    log = (data_dir / "server.log").open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "signaling", "serve"],
            env=env, stdout=log, stderr=log, cwd=ROOT, preexec_fn=pinned(cpus),
        )
    finally:
        log.close()


def wait_listening(server: subprocess.Popen[bytes], log_path: Path, timeout: float) -> int:
    """The port from the server's ``listening`` log line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}; see {log_path}")
        with contextlib.suppress(OSError):
            for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    record = json.loads(line)
                    if record.get("msg") == "listening":
                        return int(record["port"])
        time.sleep(0.05)
    raise TimeoutError(f"server did not log 'listening' within {timeout} s; see {log_path}")


def wait_ready(base: str, timeout: float) -> None:
    """Poll ``/readyz`` until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(f"{base}/readyz", timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"{base}/readyz not ready within {timeout} s")


def http_login(base: str, username: str) -> tuple[str, str, float]:
    """``POST /api/login``; returns (token, account id, milliseconds taken)."""
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base}/api/login", data=body, headers={"Content-Type": "application/json"},
        method="POST",
    )
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as r:
        answer = json.loads(r.read())
    return str(answer["token"]), str(answer["id"]), (time.perf_counter() - t0) * 1000


def stop_server(server: subprocess.Popen[bytes], timeout: float = 10.0) -> dict[str, Any]:
    """SIGTERM, then wait up to ``timeout`` s (SIGKILL after that)."""
    if server.poll() is not None:
        return {"server_exit_code": server.returncode, "server_exit_clean": False,
                "server_stop_s": 0.0, "server_died_early": True}
    t0 = time.monotonic()
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return {"server_exit_code": None, "server_exit_clean": False,
                "server_stop_s": round(time.monotonic() - t0, 2)}
    return {"server_exit_code": code, "server_exit_clean": code == 0,
            "server_stop_s": round(time.monotonic() - t0, 2)}


def scan_server_log(path: Path) -> dict[str, Any]:
    """Count warnings and errors the server logged, with a few distinct examples."""
    counts = {"warning": 0, "error": 0}
    examples: list[str] = []
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                level, msg = "error", line.strip()[:200]  # a traceback outside the formatter
            else:
                level, msg = str(record.get("level", "")), str(record.get("msg", ""))
            if level in ("warning", "error", "critical"):
                counts["error" if level == "critical" else level] += 1
                if msg and msg not in examples and len(examples) < 5:
                    examples.append(msg)
    return {"server_log_warnings": counts["warning"], "server_log_errors": counts["error"],
            "server_log_examples": examples}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Seed, start the server, run the load generator in its own process, stop the server."""
    connections = args.kiosks + args.agents
    raise_fd_limit(connections + 1024)
    tmp = Path(tempfile.mkdtemp(prefix="etapiste-load-"))
    data_dir = tmp / "data"
    data_dir.mkdir()
    server: subprocess.Popen[bytes] | None = None
    result: dict[str, Any] = {}
    try:
        t0 = time.monotonic()
        catalogue = write_catalogue(tmp / "catalogue.toml", args.kiosks, args.catalogue_limits)
        seeded = seed(data_dir, catalogue, args.kiosks, args.agents)
        seed_s = time.monotonic() - t0
        pins = pin_plan(args.pin)
        server = start_server(data_dir, catalogue, args.server_log_level,
                              set(pins["server"]) if pins else None)
        port = wait_listening(server, data_dir / "server.log", 60)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, 30)
        agents = list(seeded.agents)
        login_ms = None
        if args.agents > 0:
            token, account_id, login_ms = http_login(base, seeded.login_username)
            agents.insert(0, {"name": seeded.login_username, "id": account_id, "token": token})
        config = {
            "url": f"ws://127.0.0.1:{port}/ws",
            "server_pid": server.pid,
            "kiosks": seeded.kiosks,
            "agents": agents,
            "queue_caps": seeded.queue_caps if args.catalogue_limits else {},
            "idle_s": args.idle,
            "duration_s": args.duration,
            "join_window_s": args.join_window,
            "concurrency": args.concurrency,
            "py_spy": str(args.py_spy.resolve()) if args.py_spy else None,
            "py_spy_exe": find_py_spy() if args.py_spy else None,
        }
        config_path = tmp / "loadgen.json"
        out_path = tmp / "loadgen-result.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        budget = 60 + args.idle + args.duration + connections / 20
        gen = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--loadgen", str(config_path),
             "--loadgen-out", str(out_path)],
            cwd=ROOT, timeout=budget, check=False, capture_output=True,
            preexec_fn=pinned(set(pins["loadgen"]) if pins else None),
        )
        if gen.returncode != 0 or not out_path.exists():
            tail = gen.stderr.decode(errors="replace")[-3000:]
            raise RuntimeError(f"load generator failed with {gen.returncode}:\n{tail}")
        result = json.loads(out_path.read_text(encoding="utf-8"))
        result.update(
            kiosks=args.kiosks,
            agents=args.agents,
            queue_limits="catalogue" if args.catalogue_limits else "raised",
            seed_s=round(seed_s, 2),
            login_ms=None if login_ms is None else round(login_ms, 1),
            server_pid=server.pid,
            pinned_cpus=pins,
        )
    finally:
        if server is not None:
            result.update(stop_server(server))
            result.update(scan_server_log(data_dir / "server.log"))
            if args.keep_data:
                result["data_dir"] = str(data_dir)
        if not args.keep_data:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


# ============================================================================ load generator


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50, p90, p99, max and mean (nearest rank), in the unit given."""
    if not values:
        return {"p50": None, "p90": None, "p99": None, "max": None, "mean": None, "n": 0}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return {
        "p50": round(rank(50), 2),
        "p90": round(rank(90), 2),
        "p99": round(rank(99), 2),
        "max": round(ordered[-1], 2),
        "mean": round(sum(ordered) / len(ordered), 2),
        "n": len(ordered),
    }


def _type_of(raw: str) -> str:
    # The server serialises ``type`` first when there is no ``ref`` (we never send one), so
    # most messages are told apart without parsing them.
    if raw.startswith('{"type":"'):
        end = raw.find('"', 9)
        if end > 0:
            return raw[9:end]
    with contextlib.suppress(ValueError, AttributeError):
        return str(json.loads(raw).get("type", "?"))
    return "?"


@dataclass(eq=False)
class Client:
    """One kiosk or agent socket and what the benchmark tracks about it."""

    role: str
    name: str
    token: str
    service: str = ""
    language: str = ""
    ws: Any = None
    task: asyncio.Task[None] | None = None
    connected: bool = False
    # kiosk
    join_at: float | None = None
    offered_at: float | None = None
    call_id: str | None = None
    ended: bool = False
    # agent
    ready_at: float | None = None
    state: str = "not_ready"
    calls: int = 0
    accept_at: float | None = None
    last_call: str | None = None


@dataclass
class LoadGen:
    """The load generator's state; one instance per run."""

    cfg: dict[str, Any]
    kiosks: list[Client] = field(default_factory=list)
    agents: list[Client] = field(default_factory=list)
    by_name: dict[str, Client] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_codes: dict[str, int] = field(default_factory=dict)
    goodbyes: dict[str, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)
    bytes_received: int = 0
    pings: int = 0
    offer_ms: list[float] = field(default_factory=list)
    dispatch_ms: list[float] = field(default_factory=list)
    accept_ms: list[float] = field(default_factory=list)
    completed: int = 0
    closing: bool = False
    all_done: asyncio.Event = field(default_factory=asyncio.Event)
    agents_ready: asyncio.Event = field(default_factory=asyncio.Event)
    ready_count: int = 0
    outstanding: dict[str, int] = field(default_factory=dict)
    held: dict[str, list[Client]] = field(default_factory=dict)

    def error(self, kind: str, n: int = 1) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + n

    # ------------------------------------------------------------------ connections

    async def connect(self, client: Client, sem: asyncio.Semaphore) -> None:
        from websockets.asyncio.client import connect

        async with sem:
            try:
                ws = await connect(
                    self.cfg["url"],
                    additional_headers={"Authorization": f"Bearer {client.token}"},
                    subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
                    max_size=MAX_MESSAGE_BYTES,
                    ping_interval=None,
                    compression=None,
                    open_timeout=30,
                    close_timeout=2,
                )
                await ws.send('{"type":"hello","protocol":1,"client":"bench"}')
                async with asyncio.timeout(30):
                    while True:
                        raw = await ws.recv()
                        kind = _type_of(raw)
                        if kind == "welcome":
                            break
                        if kind in ("error", "goodbye"):
                            raise RuntimeError(f"{kind} instead of welcome: {raw[:200]}")
            except Exception as exc:  # any failure is one failed connection
                self.error(f"connect_failed:{type(exc).__name__}")
                return
        client.ws = ws
        client.connected = True
        client.task = asyncio.create_task(self.reader(client))

    async def reader(self, client: Client) -> None:
        from websockets.exceptions import ConnectionClosed

        ws = client.ws
        handle = self.on_kiosk if client.role == "kiosk" else self.on_agent
        try:
            async for raw in ws:
                if self.closing:
                    continue  # the run is over: what the server says while we leave is noise
                if isinstance(raw, bytes):
                    raw = raw.decode("utf-8", "replace")
                self.bytes_received += len(raw)
                kind = _type_of(raw)
                self.received[kind] = self.received.get(kind, 0) + 1
                if kind == "ping":
                    self.pings += 1
                    t = json.loads(raw)["t"]
                    await ws.send(json.dumps({"type": "pong", "t": t}))
                elif kind == "error":
                    msg = json.loads(raw)
                    code = str(msg.get("code"))
                    self.error_codes[code] = self.error_codes.get(code, 0) + 1
                    self.error("error_message")
                elif kind == "goodbye":
                    reason = str(json.loads(raw).get("reason"))
                    self.goodbyes[reason] = self.goodbyes.get(reason, 0) + 1
                else:
                    await handle(client, kind, raw)
        except ConnectionClosed:
            pass
        except Exception as exc:  # a broken handler is one error, not a crash
            self.error(f"handler:{type(exc).__name__}")
        finally:
            client.connected = False
            if not self.closing:
                self.error(f"unexpected_close:{client.role}")

    async def close_all(self) -> None:
        self.closing = True
        sem = asyncio.Semaphore(200)

        async def close(client: Client) -> None:
            async with sem:
                with contextlib.suppress(Exception):
                    await client.ws.close()

        await asyncio.gather(*(close(c) for c in self.kiosks + self.agents if c.ws is not None))
        tasks = [c.task for c in self.kiosks + self.agents if c.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=10)
            for task in pending:
                task.cancel()

    # ------------------------------------------------------------------ protocol

    async def send_join(self, kiosk: Client) -> None:
        queue = f"{kiosk.service}|{kiosk.language}"
        self.outstanding[queue] = self.outstanding.get(queue, 0) + 1
        kiosk.join_at = time.perf_counter()
        from websockets.exceptions import ConnectionClosed

        try:
            await kiosk.ws.send(
                json.dumps({"type": "queue_join", "service": kiosk.service,
                            "language": kiosk.language})
            )
        except ConnectionClosed:
            # Closed by the server since the reader last looked (its goodbye says why): one
            # error, counted with the unexpected close, not the end of the run.
            self.error("join_on_closed")

    async def join(self, kiosk: Client) -> None:
        """Send a kiosk's queue_join now, or hold it until its queue has room."""
        if not kiosk.connected:
            return
        queue = f"{kiosk.service}|{kiosk.language}"
        cap = self.cfg["queue_caps"].get(queue)
        if cap is not None and self.outstanding.get(queue, 0) >= cap:
            self.held.setdefault(queue, []).append(kiosk)
            return
        await self.send_join(kiosk)

    async def release(self, kiosk: Client) -> None:
        """The kiosk left its queue (its call started): let a held kiosk join."""
        queue = f"{kiosk.service}|{kiosk.language}"
        self.outstanding[queue] = self.outstanding.get(queue, 1) - 1
        held = self.held.get(queue)
        while held:
            nxt = held.pop(0)
            if nxt.connected:
                await self.send_join(nxt)
                break

    async def on_kiosk(self, kiosk: Client, kind: str, raw: str) -> None:
        if kind == "call_start":
            msg = json.loads(raw)
            kiosk.call_id = msg["call_id"]
            await kiosk.ws.send(json.dumps({"type": "call_end", "call_id": kiosk.call_id}))
            await self.release(kiosk)
        elif kind == "call_ended":
            if not kiosk.ended:
                kiosk.ended = True
                self.completed += 1
                if self.completed >= len(self.kiosks):
                    self.all_done.set()
        elif kind == "queue_left":
            self.error("queue_left")

    async def on_agent(self, agent: Client, kind: str, raw: str) -> None:
        if kind == "offer":
            now = time.perf_counter()
            msg = json.loads(raw)
            kiosk = self.by_name.get(msg.get("kiosk", ""))
            if kiosk is None or kiosk.join_at is None:
                self.error("offer_for_unknown_kiosk")
            elif kiosk.offered_at is None:
                kiosk.offered_at = now
                self.offer_ms.append((now - kiosk.join_at) * 1000)
                since = max(kiosk.join_at, agent.ready_at or kiosk.join_at)
                self.dispatch_ms.append((now - since) * 1000)
            agent.accept_at = time.perf_counter()
            await agent.ws.send(json.dumps({"type": "offer_accept", "offer_id": msg["offer_id"]}))
        elif kind == "call_start":
            msg = json.loads(raw)
            agent.calls += 1
            agent.last_call = msg["call_id"]
            if agent.accept_at is not None:
                self.accept_ms.append((time.perf_counter() - agent.accept_at) * 1000)
                agent.accept_at = None
        elif kind == "agent_status":
            msg = json.loads(raw)
            state = msg.get("state")
            previous, agent.state = agent.state, state
            if state == "wrap_up":
                call_id = msg.get("call_id") or agent.last_call
                agent.ready_at = time.perf_counter()
                await agent.ws.send(json.dumps({"type": "wrapup_done", "call_id": call_id}))
            elif state == "ready" and previous != "ready":
                self.ready_count += 1
                if self.ready_count >= len(self.agents):
                    self.agents_ready.set()
            if previous == "ready" and state != "ready":
                self.ready_count -= 1
                self.agents_ready.clear()
        elif kind == "offer_revoked":
            reason = str(json.loads(raw).get("reason"))
            self.error(f"offer_revoked:{reason}")


def find_py_spy() -> str | None:
    """The py-spy executable (in the venv or on PATH), or None with a warning."""
    exe = Path(sys.executable).with_name("py-spy")
    found = str(exe) if exe.exists() else shutil.which("py-spy")
    if found is None:
        print("py-spy not found (pip install py-spy into the venv); not profiling",
              file=sys.stderr)
    return found


async def start_py_spy(
    exe: str | None, path: str | None, pid: int
) -> asyncio.subprocess.Process | None:
    """Start ``py-spy record`` on the server (needs ptrace rights), or None."""
    if not exe or not path:
        return None
    fmt = {".svg": "flamegraph", ".json": "speedscope"}.get(Path(path).suffix, "raw")
    return await asyncio.create_subprocess_exec(
        exe, "record", "--pid", str(pid), "--rate", "200", "--format", fmt, "--output", path,
        "--nonblocking", stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )


async def stop_py_spy(spy: asyncio.subprocess.Process) -> None:
    """Stop py-spy as Ctrl-C would, so that it writes its output."""
    if spy.returncode is None:
        spy.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(spy.wait(), 30)
    except TimeoutError:
        spy.kill()
        await spy.wait()


class GcPauses:
    """The load generator's own garbage collections after connecting (any generation), the
    full ones (generation 2), and the longest pause: a pause here delays the replies it
    times, so it is reported with the figures."""

    def __init__(self) -> None:
        self.collections = 0
        self.full = 0
        self.max_ms = 0.0
        self._t0 = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
            return
        self.collections += 1
        self.full += info.get("generation") == 2
        self.max_ms = max(self.max_ms, (time.perf_counter() - self._t0) * 1000)

    def stop(self) -> dict[str, float]:
        """Stop watching; the counts and the longest pause in ms."""
        gc.callbacks.remove(self._on_gc)
        return {"collections": self.collections, "full_collections": self.full,
                "longest_ms": round(self.max_ms, 1)}


class CpuMeter:
    """CPU seconds of a process between :meth:`start` and :meth:`stop`."""

    def __init__(self, proc: Any) -> None:
        self.proc = proc
        self.t0 = self.c0 = 0.0

    @staticmethod
    def _cpu(proc: Any) -> float:
        times = proc.cpu_times()
        return float(times.user + times.system)

    def start(self) -> None:
        self.t0, self.c0 = time.perf_counter(), self._cpu(self.proc)

    def stop(self) -> float:
        """Percent of one core since :meth:`start`."""
        wall = max(1e-9, time.perf_counter() - self.t0)
        return round((self._cpu(self.proc) - self.c0) / wall * 100, 1)


async def sample(
    gen: LoadGen, proc: Any, peak: list[int], timeline: list[list[float]], stop: asyncio.Event
) -> None:
    """Until ``stop``: the server's peak RSS every 0.25 s, and every 2 s a timeline point
    ``[seconds into the storm, offers so far, calls completed, open connections]``."""
    t0 = last = time.perf_counter()
    while not stop.is_set():
        with contextlib.suppress(Exception):
            peak[0] = max(peak[0], proc.memory_info().rss)
        now = time.perf_counter()
        if now - last >= 2.0:
            last = now
            timeline.append([
                round(now - t0, 1), len(gen.offer_ms), gen.completed,
                sum(c.connected for c in gen.kiosks + gen.agents),
            ])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


async def loadgen(cfg: dict[str, Any]) -> dict[str, Any]:
    """The load generator's whole run; returns its figures."""
    import psutil

    gen = LoadGen(cfg)
    server = psutil.Process(cfg["server_pid"])
    me = psutil.Process()
    for k in cfg["kiosks"]:
        client = Client("kiosk", k["name"], k["token"], k["service"], k["language"])
        gen.kiosks.append(client)
        gen.by_name[client.name] = client
    gen.agents = [Client("agent", a["name"], a["token"]) for a in cfg["agents"]]
    out: dict[str, Any] = {}

    # --- connect, then idle ---------------------------------------------------------------
    rss_before = server.memory_info().rss
    sem = asyncio.Semaphore(cfg["concurrency"])
    t0 = time.perf_counter()
    # Every client object lives to the end: no collection while they are made, then frozen
    # out of the collector's walks. Without this, full collections of the 10,000 clients
    # paused this process 0.5-1.4 s (19 times in a 10,000-kiosk run): pauses that showed up
    # as the server's offer latency, and while connecting, as missed heartbeats.
    gc.disable()
    await asyncio.gather(*(gen.connect(c, sem) for c in gen.agents + gen.kiosks))
    connect_s = time.perf_counter() - t0
    connected = sum(c.connected for c in gen.kiosks + gen.agents)
    gc.collect()
    gc.freeze()
    gc.enable()
    gc_pauses = GcPauses()
    pings_before_idle = gen.pings
    await asyncio.sleep(cfg["idle_s"])
    rss_after = server.memory_info().rss
    idle_pings = gen.pings - pings_before_idle
    out.update(
        connections=connected,
        connect_s=round(connect_s, 2),
        connects_per_s=round(connected / connect_s, 1) if connect_s > 0 else None,
        rss_before_mib=round(rss_before / 2**20, 1),
        rss_after_mib=round(rss_after / 2**20, 1),
        rss_per_connection_kib=(
            round((rss_after - rss_before) / connected / 1024, 2) if connected else None
        ),
        idle_s=cfg["idle_s"],
        idle_pings_answered=idle_pings,
    )

    # --- storm ----------------------------------------------------------------------------
    rss_peak = [rss_after]
    timeline: list[list[float]] = []
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(sample(gen, server, rss_peak, timeline, stop_sampling))
    server_cpu, my_cpu = CpuMeter(server), CpuMeter(me)
    server_cpu.start()
    my_cpu.start()
    load_before = os.getloadavg()[0]
    spy = await start_py_spy(cfg.get("py_spy_exe"), cfg.get("py_spy"), cfg["server_pid"])
    storm_t0 = time.perf_counter()
    deadline = storm_t0 + cfg["duration_s"]
    # No collection in this process during the storm: it stands for thousands of separate
    # devices, and its own pauses (0.1-0.9 s with 10,000 clients, even frozen) were measured
    # as the server's latency. The storm's garbage waits for the end of the storm.
    gc.disable()
    live_agents = [a for a in gen.agents if a.connected]
    for agent in live_agents:
        agent.ready_at = time.perf_counter()
        try:
            await agent.ws.send('{"type":"agent_state","state":"ready"}')
        except Exception:  # closed since connecting: its reader counted the close
            agent.connected = False
    if len(live_agents) < len(gen.agents):
        gen.error("agents_missing", len(gen.agents) - len(live_agents))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(gen.agents_ready.wait(), min(10.0, cfg["duration_s"]))
    agents_ready_s = time.perf_counter() - storm_t0
    if not gen.all_done.is_set() and not gen.kiosks:
        gen.all_done.set()
    live_kiosks = [k for k in gen.kiosks if k.connected]
    window = max(0.0, cfg["join_window_s"])
    join_t0 = time.perf_counter()
    for i, kiosk in enumerate(live_kiosks):
        due = join_t0 + window * i / max(1, len(live_kiosks))
        delay = due - time.perf_counter()
        if delay > 0.002:
            await asyncio.sleep(delay)
        await gen.join(kiosk)
        if time.perf_counter() > deadline:
            break
    joins_sent_s = time.perf_counter() - join_t0
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(gen.all_done.wait(), max(0.0, deadline - time.perf_counter()))
    storm_s = time.perf_counter() - storm_t0
    server_cpu_percent = server_cpu.stop()
    if spy is not None:
        await stop_py_spy(spy)
    loadgen_cpu_percent = my_cpu.stop()
    gc.enable()
    # Let the last wrap-ups finish so their replies (or errors) are counted.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(gen.agents_ready.wait(), 5)
    stop_sampling.set()
    await sampler

    never_offered = sum(1 for k in gen.kiosks if k.offered_at is None)
    if never_offered:
        gen.error("never_offered", never_offered)
    calls_per_agent = [a.calls for a in gen.agents]
    out.update(
        duration_s=round(storm_s, 2),
        joins_sent_s=round(joins_sent_s, 2),
        agents_ready_s=round(agents_ready_s, 3),
        offer_latency_ms=percentiles(gen.offer_ms),
        dispatch_latency_ms=percentiles(gen.dispatch_ms),
        accept_to_call_start_ms=percentiles(gen.accept_ms),
        calls_completed=gen.completed,
        calls_per_s=round(gen.completed / storm_s, 1) if storm_s > 0 else None,
        calls_per_agent={"min": min(calls_per_agent, default=0),
                         "max": max(calls_per_agent, default=0)},
        never_offered=never_offered,
        server_cpu_percent=server_cpu_percent,
        loadgen_cpu_percent=loadgen_cpu_percent,
        server_rss_peak_mib=round(rss_peak[0] / 2**20, 1),
        timeline=timeline,
        host_cpus=os.cpu_count(),
        host_loadavg_1m=[round(load_before, 2), round(os.getloadavg()[0], 2)],
        loadgen_gc={"frozen_after_connect": True, "off_during_storm": True,
                    **gc_pauses.stop()},
    )
    await gen.close_all()
    out.update(
        errors=sum(gen.errors.values()),
        error_detail=dict(sorted(gen.errors.items())),
        error_codes=dict(sorted(gen.error_codes.items())),
        goodbyes=dict(sorted(gen.goodbyes.items())),
        messages_received=dict(sorted(gen.received.items(), key=lambda kv: -kv[1])),
        bytes_received=gen.bytes_received,
    )
    return out


def loadgen_main(config_path: Path, out_path: Path) -> int:
    """Entry point of the load-generator process."""
    cfg = json.loads(config_path.read_text(encoding="utf-8"))
    raise_fd_limit(len(cfg["kiosks"]) + len(cfg["agents"]) + 256)
    result = asyncio.run(loadgen(cfg))
    spy_out = cfg.get("py_spy")
    if spy_out:
        result["py_spy_output"] = spy_out if Path(spy_out).exists() else None
    out_path.write_text(json.dumps(result), encoding="utf-8")
    return 0


# ============================================================================ reporting


def _ms(stats: dict[str, Any]) -> str:
    if not stats or stats.get("p50") is None:
        return "-"
    return "  ".join(f"{k} {stats[k]:.1f}" for k in ("p50", "p90", "p99", "max"))


def _gc(g: dict[str, Any]) -> str:
    if not g:
        return "-"
    frozen = "objects frozen after connecting (gc.freeze)" if g.get("frozen_after_connect") \
        else "not frozen"
    off = "; no collection during the storm" if g.get("off_during_storm") else ""
    return (f"{frozen}{off}; {g.get('collections')} collections after connecting "
            f"({g.get('full_collections')} full), longest {g.get('longest_ms')} ms")


def _timeline(points: list[list[float]]) -> str:
    if not points:
        return "-"
    step = max(1, math.ceil(len(points) / 8))
    shown = points[step - 1::step]
    if shown[-1] is not points[-1]:
        shown.append(points[-1])
    return "  ".join(f"{t:g}s:{o:g}/{c:g}/{n:g}" for t, o, c, n in shown)


def table(r: dict[str, Any]) -> str:
    """The human-readable report."""
    rows: list[tuple[str, str]] = [
        ("kiosks / agents", f"{r.get('kiosks')} / {r.get('agents')}"),
        ("connections", f"{r.get('connections')}  (in {r.get('connect_s')} s, "
                        f"{r.get('connects_per_s')}/s)"),
        ("server RSS before / after", f"{r.get('rss_before_mib')} / {r.get('rss_after_mib')} MiB"
                                      f"  (idle {r.get('idle_s')} s)"),
        ("rss_per_connection_kib", f"{r.get('rss_per_connection_kib')}  (aim <= 30)"),
        ("offer_latency_ms", f"{_ms(r.get('offer_latency_ms', {}))}  (aim p99 <= 20)"),
        ("dispatch_latency_ms", _ms(r.get("dispatch_latency_ms", {}))),
        ("accept_to_call_start_ms", _ms(r.get("accept_to_call_start_ms", {}))),
        ("calls_completed", f"{r.get('calls_completed')} of {r.get('kiosks')} "
                            f"in {r.get('duration_s')} s  ({r.get('calls_per_s')} calls/s)"),
        ("joins sent over", f"{r.get('joins_sent_s')} s  (queue limits: {r.get('queue_limits')})"),
        ("server_cpu_percent", f"{r.get('server_cpu_percent')}  (storm; one core = 100)"),
        ("loadgen_cpu_percent", f"{r.get('loadgen_cpu_percent')}"),
        ("loadgen gc", _gc(r.get("loadgen_gc") or {})),
        ("server RSS peak", f"{r.get('server_rss_peak_mib')} MiB"),
        ("host", f"{r.get('host_cpus')} CPUs, load average (1 min) at storm start/end "
                 f"{r.get('host_loadavg_1m')}"),
        ("pinned CPUs", str(r.get("pinned_cpus") or "no (server and load generator share "
                                                    "every CPU)")),
        ("errors", f"{r.get('errors')}  {r.get('error_detail') or ''} "
                   f"{r.get('error_codes') or ''}".rstrip()),
        ("server exit", (
            f"code {r.get('server_exit_code')}, clean={r.get('server_exit_clean')}, "
            + ("EXITED BEFORE SIGTERM (killed or crashed mid-run)" if r.get("server_died_early")
               else f"{r.get('server_stop_s')} s after SIGTERM")
        )),
        ("server log", f"{r.get('server_log_warnings')} warnings, "
                       f"{r.get('server_log_errors')} errors"),
        ("progress t:offers/calls/open", _timeline(r.get("timeline") or [])),
        ("messages received", ", ".join(
            f"{k} {v}" for k, v in (r.get("messages_received") or {}).items())),
    ]
    width = max(len(k) for k, _ in rows)
    lines = ["Etäpiste signaling load", "-" * (width + 60)]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/signaling_load.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--kiosks", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--duration", type=float, default=120.0,
                        help="upper bound of the storm in seconds (default 120)")
    parser.add_argument("--idle", type=float, default=6.0,
                        help="seconds all connections idle before the RSS reading (default 6)")
    parser.add_argument("--join-window", type=float, default=1.5,
                        help="spread the kiosks' queue_join over this many seconds (default 1.5)")
    parser.add_argument("--concurrency", type=int, default=100,
                        help="WebSocket handshakes in flight at once (default 100)")
    parser.add_argument("--catalogue-limits", action="store_true",
                        help="keep the catalogue's max_queue; hold joins until a queue has room")
    parser.add_argument("--server-log-level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--py-spy", type=Path, metavar="FILE",
                        help="record the server with py-spy during the storm: FILE.svg "
                             "(flame graph), FILE.json (speedscope) or collapsed stacks")
    parser.add_argument("--pin", action="store_true",
                        help="bind the server to one CPU and the load generator to another "
                             "(recorded as pinned_cpus): a stand-in for a load generator on "
                             "another machine; say so when quoting the figures")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep the temporary data directory (server.log, database)")
    parser.add_argument("--no-save", action="store_true",
                        help=f"do not write {RESULTS.relative_to(ROOT)}")
    parser.add_argument("--loadgen", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--loadgen-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.kiosks < 0 or args.agents < 0 or args.concurrency < 1:
        parser.error("--kiosks and --agents must be >= 0 and --concurrency >= 1")
    if args.kiosks > 0 and args.agents == 0:
        parser.error("kiosks need at least one agent")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.loadgen is not None:
        return loadgen_main(args.loadgen, args.loadgen_out)
    result = run(args)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result))
    else:
        print(table(result))
    ok = (
        result.get("errors") == 0
        and result.get("calls_completed") == args.kiosks
        and result.get("server_exit_clean") is True
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
