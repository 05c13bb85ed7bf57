"""One Etäpiste site installed from ``deploy/`` the way an operations team installs it.

In a throwaway Debian root (:mod:`tests.deploy.rootfs`) and four network namespaces:

::

    etp-T-kiosk ── etp-T-router (NAT; firewall: TCP 443 out only) ── etp-T-dc ── etp-T-turn
    the kiosk unit                                    nginx :443 ─> signaling       coturn
    (headless kiosks)                                 127.0.0.1:8443  (agents)      TLS on :443

* the server side as ``deploy/README.md`` says: Debian's nginx and coturn, the ``etapiste``
  user, ``signaling.example.toml`` with the site's values, ``turnserver.conf`` with the
  secret and the agency's own peer range, ``etapiste.conf`` for nginx, the units installed;
* the kiosk with ``provision-kiosk.sh`` from a copy of this checkout, its device token on
  standard input and the agency's CA (a throwaway one made by the test);
* the signaling server and coturn started from their units (:mod:`tests.deploy.service`),
  nginx with the shipped configuration.

The kiosk's network reaches only TCP 443 (the server through nginx, TURN over TLS on coturn):
what many municipal networks allow.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.pki import Ca, ServerCert, issue, make_ca
from tests.deploy.rootfs import ThrowawayRoot
from tests.deploy.service import ServiceRun
from tests.deploy.units import Unit
from tests.netkit.impair import nft_counters
from tests.netkit.netns import NatTopology, addr, namespace, nat_topology, nft, run, veth

ROOT = Path(__file__).resolve().parents[2]
SRC_IN_ROOT = "/root/etapiste"
TURN_IP = "10.77.3.1"
TURN_GW = "10.77.3.254"
AGENT = ("aino", "demo-aino-2026-site")
EXCLUDE = (".venv", ".git", "__pycache__", "build", "*.egg-info", ".demo", "screenshots",
           ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "bench/results")


@dataclass
class Site:
    """Everything a deploy test needs to reach the installed site."""

    root: ThrowawayRoot
    topo: NatTopology
    turn_ns: str
    work: Path
    ca: Ca
    wrong_ca: Ca
    server_cert: ServerCert
    kiosk_token: str
    turn_secret: str
    firewall: str
    timings: dict[str, float] = field(default_factory=dict)
    services: dict[str, ServiceRun] = field(default_factory=dict)
    nginx: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"https://{self.topo.server_ip}"

    @property
    def ws_url(self) -> str:
        return f"wss://{self.topo.server_ip}/ws"

    def unit(self, name: str, dropins: tuple[str, ...] = ()) -> Unit:
        """An installed unit, as systemd would load it (with test drop-ins)."""
        return Unit.load(self.root.path(f"/etc/systemd/system/{name}"), dropins)

    def firewall_counters(self) -> dict[str, tuple[int, int]]:
        """What the kiosk's firewall let through (``tls_*``) and dropped (``dropped``)."""
        return nft_counters(self.topo.router, "inet", self.firewall)


def copy_source(root: ThrowawayRoot, inside: str = SRC_IN_ROOT) -> None:
    """This checkout into the root, as an installer copies it (no venv, VCS or caches)."""
    target = root.path(inside)
    target.mkdir(parents=True, exist_ok=True)
    tar = subprocess.Popen(
        ["tar", "-C", str(ROOT), *[f"--exclude={e}" for e in EXCLUDE], "-cf", "-", "."],
        stdout=subprocess.PIPE,
    )
    subprocess.run(["tar", "-C", str(target), "-xf", "-"], stdin=tar.stdout, check=True,
                   timeout=120)
    assert tar.wait(60) == 0


def _host_cli(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """The server's admin CLI on its data directory (an operator at the server)."""
    out = subprocess.run(
        [sys.executable, "-m", "signaling", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, check=False, timeout=60, cwd=ROOT,
        env={**os.environ, **(env or {}), "ETAPISTE_LOG_LEVEL": "WARNING"},
    )
    if out.returncode != 0:
        raise RuntimeError(f"signaling {args[0]}: {out.stderr[-2000:]}")
    return out.stdout


def _set(text: str, pattern: str, replacement: str) -> str:
    """One edit an administrator makes in an example file (it must match exactly once)."""
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if count != 1:
        raise AssertionError(f"{pattern!r} matched {count} times")
    return new


@contextlib.contextmanager
def turn_host(topo: NatTopology, name: str) -> Iterator[str]:
    """The TURN relay's own machine, behind the data centre's router (10.77.3.0/24)."""
    with namespace(name):
        veth(topo.dc, "dt0", name, "t0")
        addr(topo.dc, "dt0", f"{TURN_GW}/24")
        addr(name, "t0", f"{TURN_IP}/24")
        run(["ip", "-n", name, "route", "add", "default", "via", TURN_GW])
        run(["ip", "netns", "exec", topo.dc, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
        run(["ip", "-n", topo.router, "route", "add", "10.77.3.0/24", "via", topo.server_ip])
        yield name


def only_tls_out(topo: NatTopology) -> str:
    """The kiosk site's firewall: TCP 443 out and nothing else (counted per destination)."""
    table = f"etp_fw_{os.getpid()}"
    kiosk_side = f'iifname "{topo.router_kiosk_if}"'
    nft(
        topo.router,
        f"""
table inet {table} {{
    chain kiosk_out {{
        type filter hook forward priority filter; policy accept;
        {kiosk_side} ip daddr {topo.server_ip} tcp dport 443 counter accept comment "tls_server"
        {kiosk_side} ip daddr {TURN_IP} tcp dport 443 counter accept comment "tls_turn"
        {kiosk_side} counter drop comment "dropped"
    }}
}}
""",
    )
    return table


def install_server_side(site: Site, data_dir_inside: str = "/var/lib/etapiste") -> None:
    """``deploy/README.md``, "Server, step by step", steps 3-6 (1-2 ran before)."""
    root = site.root
    src = root.path(SRC_IN_ROOT)
    etapiste = root.user("etapiste")
    # The kiosk's provisioning made /etc/etapiste 0750 for the kiosk user; on this test
    # machine, which is also the server, the server's users must get through it too (each
    # file keeps its own mode: the secrets below are 0640 to their service's group).
    root.path("/etc/etapiste").chmod(0o755)
    # 3. settings: the example with the site's host names, origins and TURN secret.
    toml = (src / "deploy/signaling.example.toml").read_text()
    toml = _set(toml, r'^allowed_origins = .*$',
                f'allowed_origins = ["https://{site.topo.server_ip}"]')
    toml = _set(toml, r'^urls = \[.*\]$', f'urls = ["turns:{TURN_IP}:443?transport=tcp", '
                f'"turn:{TURN_IP}:3478?transport=udp"]')
    toml = _set(toml, r'^turn_secret = ".*"$', f'turn_secret = "{site.turn_secret}"')
    root.put("/etc/etapiste/signaling.toml", toml.encode(), mode=0o640)
    os.chown(root.path("/etc/etapiste/signaling.toml"), 0, etapiste.gid)
    # 4. TURN: the shipped file with the secret, this relay's address and the agency's own
    #    network (the agents' desktops, 10.77.0.0/16 here) allowed as peers.
    conf = (src / "deploy/coturn/turnserver.conf").read_text()
    conf = _set(conf, r"^static-auth-secret=.*$", f"static-auth-secret={site.turn_secret}")
    conf = _set(conf, r"^# listening-ip=.*$", f"listening-ip={TURN_IP}")
    conf = _set(conf, r"^# relay-ip=.*$", f"relay-ip={TURN_IP}")
    conf = _set(conf, r"^#   allowed-peer-ip=10\.20.*$", "allowed-peer-ip=10.77.0.0-10.77.255.255")
    turnserver = root.user("turnserver")
    root.put("/etc/etapiste/turnserver.conf", conf.encode(), mode=0o640)
    os.chown(root.path("/etc/etapiste/turnserver.conf"), 0, turnserver.gid)
    turn_cert = issue(site.ca, site.work / "pki", "turn", [f"IP:{TURN_IP}", "DNS:turn.test"])
    for name, source in (("fullchain.pem", turn_cert.chain), ("privkey.pem", turn_cert.key)):
        root.put(f"/etc/coturn/certs/{name}", source.read_bytes(), mode=0o640)
        os.chown(root.path(f"/etc/coturn/certs/{name}"), 0, turnserver.gid)
    # 5. TLS for the proxy, and nginx's site.
    root.put("/etc/etapiste/tls/fullchain.pem", site.server_cert.chain.read_bytes(), mode=0o644)
    root.put("/etc/etapiste/tls/privkey.pem", site.server_cert.key.read_bytes(), mode=0o600)
    shutil.copy(src / "deploy/nginx/etapiste.conf", root.path("/etc/nginx/conf.d/etapiste.conf"))
    # 6. the units.
    for unit in ("etapiste-signaling.service", "etapiste-coturn.service"):
        shutil.copy(src / "deploy/systemd" / unit, root.path(f"/etc/systemd/system/{unit}"))
    root.run(["chown", "-R", "etapiste:etapiste", data_dir_inside])


def start_server_side(site: Site) -> None:
    """coturn and the signaling server from their units, nginx with the shipped config."""
    root, topo = site.root, site.topo
    logs = site.work / "logs"
    logs.mkdir(exist_ok=True)
    coturn = ServiceRun(site.unit("etapiste-coturn.service"), root, logs / "coturn.log",
                        netns=site.turn_ns)
    coturn.start()
    site.services["coturn"] = coturn
    # Queues open at any hour, so a test at night still gets its call (a test-only drop-in).
    signaling = ServiceRun(
        site.unit("etapiste-signaling.service",
                  ("[Service]\nEnvironment=ETAPISTE_ALWAYS_OPEN=true\n",)),
        root, logs / "signaling.log", netns=topo.dc,
    )
    signaling.start()
    site.services["signaling"] = signaling
    root.run(["nginx", "-t", "-q"], netns=topo.dc)
    site.nginx = root.popen(["nginx", "-g", "daemon off;"], netns=topo.dc,
                            stdout=(logs / "nginx.log").open("wb"))
    wait_for(lambda: '"msg": "listening"' in signaling.log(), 30, "the signaling server")
    wait_for(lambda: "listener opened on : " in coturn.log() or _listening(site.turn_ns, 443),
             30, "coturn")
    wait_for(lambda: _listening(topo.dc, 443), 30, "nginx")


def _listening(netns: str, port: int) -> bool:
    out = subprocess.run(["ip", "netns", "exec", netns, "ss", "-Hltn", f"sport = :{port}"],
                         capture_output=True, text=True, check=False, timeout=10).stdout
    return bool(out.strip())


def wait_for(check: object, timeout: float, what: str) -> None:
    """Poll ``check()`` every 0.1 s until true; fail with ``what`` after ``timeout``."""
    assert callable(check)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} was not up within {timeout} s")


@contextlib.contextmanager
def installed_site(work: Path) -> Iterator[Site]:
    """Build the whole site (about two minutes the first time on a new machine)."""
    pki = work / "pki"
    ca, wrong_ca = make_ca(pki, "agency-ca"), make_ca(pki, "other-ca")
    timings: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        topo = stack.enter_context(nat_topology())
        turn_ns = stack.enter_context(turn_host(topo, topo.dc.replace("-dc", "-turn")))
        firewall = only_tls_out(topo)
        started = time.monotonic()
        root = stack.enter_context(ThrowawayRoot(work / "root"))
        timings["root_s"] = round(time.monotonic() - started, 1)
        server_cert = issue(ca, pki, "server", [f"IP:{topo.server_ip}", "DNS:etapiste.test"])
        copy_source(root)
        # Server, steps 1-2: Debian's packages and the service user (the code comes with the
        # kiosk's install below: this test site runs both on one machine).
        started = time.monotonic()
        root.run(["sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get "
                  "install -y -qq --no-install-recommends python3-venv nginx coturn >/dev/null"],
                 timeout=600)
        root.run(["useradd", "--system", "--home-dir", "/var/lib/etapiste", "etapiste"])
        timings["server_packages_s"] = round(time.monotonic() - started, 1)
        # A site and its kiosk on the server: the device token is printed once.
        # (Made here and copied in: SQLite resolves the /proc/PID/root path to the host's.)
        data_dir = work / "server-data"
        out = _host_cli(data_dir, "add-kiosk", "nurmes", "Nurmes kiosk 1")
        token = out.strip().split()[-1]
        _host_cli(data_dir, "add-account", AGENT[0], "--name", "Aino Virtanen", "--skills",
                  "kela.benefits", "--languages", "fi,sv", "--password-env", "P",
                  env={"P": AGENT[1]})
        for db in data_dir.iterdir():
            root.put(f"/var/lib/etapiste/{db.name}", db.read_bytes(), mode=0o600)
        root.put("/root/agency-ca.pem", ca.cert.read_bytes())
        # The kiosk, exactly as deploy/README.md says (standard input carries the token).
        started = time.monotonic()
        root.run(["bash", f"{SRC_IN_ROOT}/deploy/kiosk/provision-kiosk.sh", "--server",
                  f"wss://{topo.server_ip}/ws", "--ca", "/root/agency-ca.pem"],
                 input=token + "\n", timeout=900)
        timings["provision_kiosk_s"] = round(time.monotonic() - started, 1)
        site = Site(root, topo, turn_ns, work, ca, wrong_ca, server_cert, token,
                    secrets.token_hex(16), firewall, timings)
        install_server_side(site)
        start_server_side(site)
        try:
            yield site
        finally:
            if site.nginx is not None:
                site.nginx.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    site.nginx.wait(10)
            for service in site.services.values():
                service.stop()
