"""The whole system on the NAT topology: coturn, signaling server, headless agent and kiosk.

* ``etp-*-dc``: the signaling server on 10.77.1.1:8765, the headless agent, and the real
  coturn on 10.77.1.3:3478 (test config = production config + ``allowed-peer-ip`` for
  10.77.0.0/16, the test subnets, which the production ``denied-peer-ip`` list would block).
* ``etp-*-router``: symmetric NAT for the kiosk; with ``force_turn`` a firewall that lets the
  kiosk send UDP only to the TURN server (so STUN-derived and host paths die and the agent
  sees the kiosk only through the relay); optional impairments on its kiosk-side interface.
* ``etp-*-kiosk``: the headless kiosk.

The server hands both clients ``stun:`` and ``turn:`` URLs of the coturn with credentials it
mints per call (``ETAPISTE_ICE_SERVERS``), exactly as in production.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from demo.seed import DemoSetup, seed
from signaling.settings import Settings
from tests.netkit.coturn import Coturn, coturn
from tests.netkit.impair import UdpPolicy, restrict_udp
from tests.netkit.netns import NatTopology, nat_topology, popen_in, stop_process
from tests.netkit.procs import JsonProc
from tests.server.harness import CHEAP_HASHER

ROOT = Path(__file__).resolve().parents[2]
SERVER_PORT = 8765
PAGE_PORT = 8089
"""Where :mod:`tests.browser.peer` serves its page inside a namespace (its default)."""


@dataclass
class CallStack:
    """Everything running for one scenario; start clients with :meth:`agent`/:meth:`kiosk`."""

    topo: NatTopology
    turn: Coturn
    setup: DemoSetup
    workdir: Path
    udp_policy: UdpPolicy | None
    server_log: Path
    procs: list[JsonProc] = field(default_factory=list)
    client_env: dict[str, str] = field(default_factory=dict)
    """Extra environment for our headless clients (e.g. ``ETAPISTE_MEDIA_TUNING``)."""

    @property
    def base_url(self) -> str:
        return f"http://{self.topo.server_ip}:{SERVER_PORT}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.topo.server_ip}:{SERVER_PORT}/ws"

    def _env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETAPISTE_")}
        env.update(PYTHONDONTWRITEBYTECODE="1", QT_QPA_PLATFORM="offscreen", **self.client_env,
                   **extra)
        return env

    def agent(
        self,
        hold_s: float,
        *,
        username: str = "aino",
        stats_interval_s: float = 1.0,
        wait_timeout_s: float = 120.0,
        name: str = "agent",
    ) -> JsonProc:
        """A headless agent in the data-centre namespace; answers one call, holds it."""
        account = next(a for a in self.setup.agents if a.username == username)
        proc = JsonProc(
            name,
            self.topo.dc,
            [sys.executable, "-m", "agent_console", "--headless", "--server", self.base_url,
             "--username", username, "--hold", str(hold_s), "--stats-interval",
             str(stats_interval_s), "--wait-timeout", str(wait_timeout_s), "--log-level",
             "INFO", "--stamp-frames", "--voice-audio"],
            env=self._env(ETAPISTE_PASSWORD=account.password),
            cwd=ROOT,
            log_dir=self.workdir / "logs",
        )
        self.procs.append(proc)
        return proc

    def idle_agent(self, seconds: float, *, username: str = "erik") -> JsonProc:
        """A logged-in agent who never goes ready: the queue stays open, nobody answers."""
        account = next(a for a in self.setup.agents if a.username == username)
        proc = JsonProc(
            f"idle-{username}",
            self.topo.dc,
            [sys.executable, "-m", "tests.netkit.idle_agent", "--server", self.base_url,
             "--username", username, "--seconds", str(seconds)],
            env=self._env(ETAPISTE_PASSWORD=account.password),
            cwd=ROOT,
            log_dir=self.workdir / "logs",
        )
        self.procs.append(proc)
        return proc

    def kiosk(
        self,
        hold_s: float,
        *,
        service: str = "kela.benefits",
        language: str = "fi",
        stats_interval_s: float = 1.0,
        wait_timeout_s: float = 120.0,
        name: str = "kiosk",
    ) -> JsonProc:
        """The headless kiosk (Nurmes) in the kiosk namespace behind the NAT."""
        token = next(iter(self.setup.kiosk_tokens.values()))
        proc = JsonProc(
            name,
            self.topo.kiosk,
            [sys.executable, "-m", "kiosk", "--headless", "--server", self.ws_url,
             "--token-env", "ETAPISTE_KIOSK_TOKEN", "--service", service, "--language",
             language, "--hold", str(hold_s), "--stats-interval", str(stats_interval_s),
             "--wait-timeout", str(wait_timeout_s), "--log-level", "INFO", "--stamp-frames",
             "--voice-audio"],
            env=self._env(ETAPISTE_KIOSK_TOKEN=token),
            cwd=ROOT,
            log_dir=self.workdir / "logs",
        )
        self.procs.append(proc)
        return proc

    def browser(
        self,
        role: str,
        hold_s: float,
        *,
        username: str = "aino",
        stats_interval_s: float = 1.0,
        wait_timeout_s: float = 120.0,
    ) -> JsonProc:
        """Headless Chromium as the kiosk (kiosk namespace) or the agent (data centre).

        See :mod:`tests.browser.peer`; the server must allow its page's origin (give
        :func:`call_stack` ``browser_pages=True``).
        """
        argv = [sys.executable, "-m", "tests.browser.peer", "--role", role, "--server",
                self.base_url, "--hold", str(hold_s), "--stats-interval", str(stats_interval_s),
                "--wait-timeout", str(wait_timeout_s)]
        if role == "kiosk":
            env = self._env(ETAPISTE_KIOSK_TOKEN=next(iter(self.setup.kiosk_tokens.values())))
            ns = self.topo.kiosk
        else:
            account = next(a for a in self.setup.agents if a.username == username)
            env = self._env(ETAPISTE_PASSWORD=account.password)
            argv += ["--username", username]
            ns = self.topo.dc
        proc = JsonProc(f"browser-{role}", ns, argv, env=env, cwd=ROOT,
                        log_dir=self.workdir / "logs")
        self.procs.append(proc)
        return proc

    def server_log_lines(self) -> list[dict[str, object]]:
        out = []
        for line in self.server_log.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
        return out

    def stop_clients(self) -> None:
        for proc in self.procs:
            proc.stop()
        self.procs.clear()


def _wait_server(log: Path, proc: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:  # type: ignore[attr-defined]
            raise RuntimeError(f"signaling server exited:\n{log.read_text()[-3000:]}")
        if log.exists() and '"msg": "listening"' in log.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise TimeoutError(f"signaling server not listening within {timeout} s")


@contextlib.contextmanager
def call_stack(
    workdir: Path,
    *,
    tag: str | None = None,
    force_turn: bool = True,
    server_env: Mapping[str, str] | None = None,
    topo: NatTopology | None = None,
    browser_pages: bool = False,
) -> Iterator[CallStack]:
    """Build the topology (unless given), start coturn and the server; tear all down after.

    ``browser_pages``: allow the origin of :mod:`tests.browser.peer`'s page, so headless
    Chromium can sign in as a kiosk or an agent.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if topo is None:
            topo = stack.enter_context(nat_topology(tag))
        turn = stack.enter_context(
            coturn(workdir / "coturn", ns=topo.dc, ip=topo.turn_ip,
                   allowed_peers=[topo.all_subnets])
        )
        policy = None
        if force_turn:
            policy = stack.enter_context(
                restrict_udp(topo.router, topo.router_kiosk_if, [(turn.ip, turn.port)])
            )
        data_dir = workdir / "data"
        setup = seed(data_dir, Settings().catalogue, CHEAP_HASHER)
        ice = [{"urls": [turn.stun_url, turn.url], "turn_secret": turn.secret}]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETAPISTE_")}
        env.update(
            ETAPISTE_DATA_DIR=str(data_dir),
            ETAPISTE_HOST=topo.server_ip,
            ETAPISTE_PORT=str(SERVER_PORT),
            ETAPISTE_ALWAYS_OPEN="true",
            ETAPISTE_ICE_SERVERS=json.dumps(ice),
            ETAPISTE_LOG_LEVEL="INFO",
            PYTHONDONTWRITEBYTECODE="1",
            **(server_env or {}),
        )
        if browser_pages:
            env["ETAPISTE_ALLOWED_ORIGINS"] = json.dumps([f"http://127.0.0.1:{PAGE_PORT}"])
        server_log = workdir / "server.log"
        log_file = stack.enter_context(server_log.open("wb"))
        server = popen_in(topo.dc, [sys.executable, "-m", "signaling", "serve"], env=env,
                          cwd=ROOT, stdout=log_file, stderr=log_file)
        stack.callback(stop_process, server)
        _wait_server(server_log, server)
        cs = CallStack(topo, turn, setup, workdir, policy, server_log)
        stack.callback(cs.stop_clients)
        yield cs
