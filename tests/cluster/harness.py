"""Several real signaling node processes on one real PostgreSQL database, behind real nginx.

:func:`running_cluster` seeds a fresh database (sites, kiosks, clerks), starts the nodes with
``python -m signaling serve`` as a unit would (settings from the environment: the database
URL, the node's name, a session key file all nodes share), and runs nginx with the shipped
``deploy/nginx/etapiste-cluster.conf``, its upstream pointed at the nodes and TLS from a
throwaway CA. Clients connect through nginx, or straight to chosen nodes (with the other
nodes as fall-backs, as a client configured with a list of server URLs does).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from client_core.signaling_client import Backoff, SignalingClient, login
from demo.process import wait_ready
from signaling.catalogue import load_catalogue
from signaling.credentials import hash_password
from signaling.settings import Settings
from signaling.store import PostgresStore
from tests.calls.processes import free_port
from tests.deploy.pki import issue, make_ca
from tests.pgserver import PgServer

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
FAST = Backoff(initial_s=0.05, maximum_s=0.5)
NGINX_CONF = ROOT / "deploy" / "nginx" / "etapiste-cluster.conf"


@dataclass
class Node:
    """One node process."""

    name: str
    port: int
    data_dir: Path
    proc: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"
    netns: str | None = None
    database: str | None = None
    """This node's database URL, if it reaches the database by another address."""

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


@dataclass
class Cluster:
    """The running nodes, the proxy in front of them, and the seeded credentials."""

    pg: PgServer
    db_url: str
    work: Path
    nodes: dict[str, Node]
    proxy_port: int
    ca: Path
    kiosk_tokens: dict[str, str] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)
    clients: list[SignalingClient] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    tls_files: tuple[Path, Path] = (Path(), Path())

    @property
    def proxy_base(self) -> str:
        return f"https://127.0.0.1:{self.proxy_port}"

    @property
    def proxy_ws(self) -> str:
        return f"wss://127.0.0.1:{self.proxy_port}/ws"

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    # ---------------------------------------------------------------- nodes

    def start(self, name: str, extra_env: dict[str, str] | None = None) -> Node:
        node = self.nodes[name]
        env = {**os.environ, **self.env, "ETAPISTE_NODE_ID": name, "ETAPISTE_HOST": node.host,
               "ETAPISTE_PORT": str(node.port), "ETAPISTE_DATA_DIR": str(node.data_dir),
               **({"ETAPISTE_DATABASE": node.database} if node.database else {}),
               **(extra_env or {})}
        node.data_dir.mkdir(parents=True, exist_ok=True)
        log = (node.data_dir / "server.log").open("ab")
        argv = [sys.executable, "-m", "signaling", "serve"]
        if node.netns:
            argv = ["ip", "netns", "exec", node.netns, *argv]
        node.proc = subprocess.Popen(argv, env=env, stdout=log, stderr=log, cwd=ROOT)
        return node

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        node = self.nodes[name]
        assert node.proc is not None
        node.proc.send_signal(sig)
        node.proc.wait(20)
        node.proc = None

    def sql(self, query: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            return list(conn.execute(query, params).fetchall())  # type: ignore[arg-type]

    def leader(self) -> tuple[int, str | None]:
        """The current term and the node holding it, as the database says."""
        (row,) = self.sql("SELECT term, holder FROM cluster_lease WHERE id = 1")
        return int(row[0]), row[1]  # type: ignore[call-overload, return-value]

    async def wait_leader(self, not_term: int | None = None, timeout: float = 20.0) -> str:
        """Wait until a node leads (under a term other than ``not_term``); its name."""
        import asyncio

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            term, holder = self.leader()
            if holder is not None and term != not_term:
                return holder
            await asyncio.sleep(0.05)
        raise TimeoutError("no node took the lease")

    # -------------------------------------------------------------- clients

    def urls(self, first: str) -> list[str]:
        """A client's server list: ``first`` node, then the others (or the proxy only)."""
        if first == "proxy":
            return [self.proxy_ws]
        order = [first, *[n for n in self.nodes if n != first]]
        return [self.nodes[n].ws_url for n in order]

    async def kiosk(self, kiosk_id: str, via: str) -> SignalingClient:
        tls = self.tls() if via == "proxy" else None
        client = SignalingClient(self.urls(via), self.kiosk_tokens[kiosk_id], backoff=FAST,
                                 ssl_context=tls)
        self.clients.append(client)
        await client.connected(timeout=20)
        return client

    async def agent(self, username: str, via: str) -> SignalingClient:
        base = self.proxy_base if via == "proxy" else self.nodes[via].base_url
        tls = self.tls() if via == "proxy" else None
        session = await login(base, username, PASSWORD, tls)
        client = SignalingClient(self.urls(via), session.token, backoff=FAST, ssl_context=tls)
        self.clients.append(client)
        await client.connected(timeout=20)
        return client


def _seed(url: str, kiosks: int, agents: Sequence[tuple[str, list[str], list[str]]],
          audit_key: bytes) -> tuple[dict[str, str], dict[str, str]]:
    store = PostgresStore.open(url, audit_key=audit_key)
    try:
        now = time.time()
        store.seed_catalogue(load_catalogue(Settings().catalogue), now=now)
        tokens = dict(store.create_kiosk("lieksa", f"Lieksa {i}", now=now) for i in range(kiosks))
        ids = {
            name: store.create_account(name, name.title(), "agent", hash_password(PASSWORD),
                                       skills, langs, now=now)
            for name, skills, langs in agents
        }
        return tokens, ids
    finally:
        store.close()


def _nginx_conf(c: Cluster, cert: Path, key: Path) -> Path:
    """The shipped cluster site with this test's nodes, port, certificate and log."""
    text = NGINX_CONF.read_text()
    servers = "".join(
        f"    server {n.host}:{n.port} max_fails=1 fail_timeout=5s;\n" for n in c.nodes.values()
    )
    text, count = re.subn(r"(?m)^    server 10\.0\.0\.\d+:8443 .*\n", "", text)
    assert count >= 2, "the shipped upstream lists the nodes"
    text = text.replace("upstream etapiste_nodes {\n", "upstream etapiste_nodes {\n" + servers, 1)
    text = re.sub(r"(?m)^    listen 443 ssl http2;$", f"    listen 127.0.0.1:{c.proxy_port} ssl;",
                  text)
    text = re.sub(r"(?m)^    listen \[::\]:443 .*$", "", text)
    text = text.replace("/etc/etapiste/tls/fullchain.pem", str(cert))
    text = text.replace("/etc/etapiste/tls/privkey.pem", str(key))
    text = text.replace("/var/log/nginx/etapiste.log", str(c.work / "nginx-access.log"))
    site = c.work / "etapiste-cluster.conf"
    site.write_text(text)
    main = c.work / "nginx.conf"
    temp = c.work / "nginx-temp"
    temp.mkdir(exist_ok=True)
    main.write_text(
        f"user root;\nworker_processes 1;\npid {c.work}/nginx.pid;\n"
        f"error_log {c.work}/nginx-error.log warn;\nevents {{ worker_connections 512; }}\n"
        f"http {{\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/f;\n  uwsgi_temp_path {temp}/u;\n  scgi_temp_path {temp}/s;\n"
        f"  include {site};\n}}\n"
    )
    return main


def _prepare(
    pg: PgServer, work: Path, names: Sequence[str], kiosks: int,
    agents: Sequence[tuple[str, list[str], list[str]]], env: dict[str, str],
) -> Cluster:
    url = pg.fresh_database()
    work.mkdir(parents=True, exist_ok=True)
    # Every node shares one audit key, as deploy/README.md asks: one chain, whoever appends.
    audit_key_file = work / "audit.key"
    audit_key_file.write_bytes(os.urandom(32))
    audit_key_file.chmod(0o600)
    tokens, ids = _seed(url, kiosks, agents, audit_key_file.read_bytes())
    ca = make_ca(work / "pki")
    cert = issue(ca, work / "pki", "proxy", ["IP:127.0.0.1", "DNS:localhost"])
    key_file = work / "session.key"
    key_file.write_bytes(os.urandom(32))
    key_file.chmod(0o600)
    nodes = {n: Node(n, free_port(), work / n) for n in names}
    c = Cluster(pg, url, work, nodes, free_port(), ca.cert, tokens, ids)
    c.tls_files = (cert.chain, cert.key)
    c.env = {
        "ETAPISTE_DATABASE": url, "ETAPISTE_SESSION_KEY_FILE": str(key_file),
        "ETAPISTE_AUDIT_KEY_FILE": str(audit_key_file),
        "ETAPISTE_ALWAYS_OPEN": "true", "ETAPISTE_LOG_LEVEL": "INFO", **env,
    }
    return c


def _start_nginx(c: Cluster) -> None:
    main = _nginx_conf(c, *c.tls_files)
    subprocess.run(["nginx", "-t", "-q", "-c", str(main)], check=True, timeout=30)
    c.nginx = subprocess.Popen(["nginx", "-c", str(main), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def unavailable_reason() -> str | None:
    """Why the cluster cannot run here (None: it can)."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "nginx is not installed (Debian: nginx)"
    return None


@contextlib.asynccontextmanager
async def running_cluster(
    pg: PgServer, work: Path, names: Sequence[str] = ("n1", "n2", "n3"), *, kiosks: int = 4,
    agents: Sequence[tuple[str, list[str], list[str]]] = (
        ("aino", ["kela.benefits"], ["fi"]), ("erik", ["kela.benefits"], ["fi", "sv"]),
    ),
    env: dict[str, str] | None = None, first: str | None = None,
    placed: dict[str, tuple[str, str, str]] | None = None,
) -> AsyncIterator[Cluster]:
    """Seed a fresh database, start the nodes (``first`` alone until it leads) and nginx.

    ``placed``: nodes in a network namespace, ``{name: (netns, host, database_host)}``: the
    node listens on ``host`` there and reaches the database at ``database_host``."""
    c = _prepare(pg, work, names, kiosks, agents, env or {})
    nodes = c.nodes
    for name, (netns, host, db_host) in (placed or {}).items():
        node = nodes[name]
        node.netns, node.host = netns, host
        node.database = c.db_url.replace(f"@{pg.host}:", f"@{db_host}:")
    try:
        if first is not None:
            c.start(first)
            await wait_ready(nodes[first].base_url, timeout=30)
            await c.wait_leader()
        for name in names:
            if name != first:
                c.start(name)
        for node in nodes.values():
            await wait_ready(node.base_url, timeout=30)
        _start_nginx(c)
        await wait_ready(c.proxy_base, timeout=20, ssl_context=c.tls())
        yield c
    finally:
        for client in c.clients:
            with contextlib.suppress(Exception):
                await client.close()
        if c.nginx is not None:
            c.nginx.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                c.nginx.wait(10)
        for node in nodes.values():
            if node.proc is not None:
                node.proc.terminate()
                try:
                    node.proc.wait(15)
                except subprocess.TimeoutExpired:
                    node.proc.kill()
                    node.proc.wait(5)
