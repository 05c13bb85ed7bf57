"""Two signaling nodes from the template unit, on Debian's PostgreSQL, behind the shipped
cluster site of nginx: ``deploy/README.md``, "Several nodes", run in the installed root.

The site's single server is stopped for this test and started again after it (the other
deploy tests use it). The nodes run from ``etapiste-signaling@.service`` as instances ``n1``
and ``n2`` (the runner plays systemd: User=, the environment files, ``%i``), the database is
Debian's ``postgresql`` with the settings the guide asks for, and the kiosk's network reaches
them only through nginx on 443. Killing the leading node's process: the other node takes the
routing lease and nginx keeps answering.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time

from tests.deploy.service import ServiceRun
from tests.deploy.site import SRC_IN_ROOT, Site, wait_for
from tests.deploy.test_server_units import _fetch
from tests.deploy.units import Unit

NODES = {"n1": 8443, "n2": 8444}
UNIT = "etapiste-signaling@.service"


def _psql(site: Site, sql: str) -> str:
    done = site.root.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q",
                          "-d", "etapiste", "-c", sql], netns=site.topo.dc)
    return done.stdout.strip()


def _install_postgresql(site: Site, password: str) -> None:
    """Steps 1-2 of "Several nodes": Debian's PostgreSQL with the guide's settings, a role."""
    root, dc = site.root, site.topo.dc
    root.run(["sh", "-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
              "--no-install-recommends postgresql >/dev/null"], timeout=900)
    src = root.path(f"{SRC_IN_ROOT}/deploy/postgresql/etapiste-cluster.conf").read_bytes()
    root.put("/etc/postgresql/15/main/conf.d/etapiste-cluster.conf", src)
    root.run(["install", "-d", "-o", "postgres", "-g", "postgres", "/run/postgresql"])
    root.run(["pg_ctlcluster", "15", "main", "start"], netns=dc, timeout=120)
    root.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-c",
              f"CREATE ROLE etapiste LOGIN PASSWORD '{password}'"], netns=dc)
    root.run(["runuser", "-u", "postgres", "--", "createdb", "-O", "etapiste", "etapiste"],
             netns=dc)


def _install_nodes(site: Site, password: str) -> None:
    """Steps 3-5: the shared settings, the database URL, the session and audit keys, each
    node's port."""
    root = site.root
    etapiste = root.user("etapiste")
    url = f"postgresql://etapiste:{password}@127.0.0.1:5432/etapiste"
    root.put("/etc/etapiste/cluster.env", f"ETAPISTE_DATABASE={url}\n".encode(), mode=0o640)
    os.chown(root.path("/etc/etapiste/cluster.env"), 0, etapiste.gid)
    root.put("/etc/etapiste/session.key", secrets.token_bytes(32), mode=0o600, owner="etapiste")
    root.put("/etc/etapiste/audit.key", secrets.token_bytes(32), mode=0o600, owner="etapiste")
    for name, port in NODES.items():
        root.put(f"/etc/etapiste/node-{name}.env", f"ETAPISTE_PORT={port}\n".encode(),
                 mode=0o640)
        os.chown(root.path(f"/etc/etapiste/node-{name}.env"), 0, etapiste.gid)
    shutil.copy(root.path(f"{SRC_IN_ROOT}/deploy/systemd/{UNIT}"),
                root.path(f"/etc/systemd/system/{UNIT}"))
    # The cluster site, with the nodes' addresses in its upstream (the administrator's edit).
    conf = root.path(f"{SRC_IN_ROOT}/deploy/nginx/etapiste-cluster.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n"
                      for p in NODES.values())
    conf = re.sub(r"(?m)^    server 10\.0\.0\.\d+:8443 .*\n", "", conf)
    conf = conf.replace("upstream etapiste_nodes {\n", "upstream etapiste_nodes {\n" + servers)
    root.path("/etc/nginx/conf.d/etapiste.conf").rename(root.path("/root/etapiste.conf.single"))
    root.put("/etc/nginx/conf.d/etapiste-cluster.conf", conf.encode())


def _restore_single(site: Site) -> None:
    """The single server and its nginx site back, as the other deploy tests expect them."""
    root, dc = site.root, site.topo.dc
    cluster = root.path("/etc/nginx/conf.d/etapiste-cluster.conf")
    if cluster.exists():
        cluster.unlink()
    single = root.path("/root/etapiste.conf.single")
    if single.exists():
        single.rename(root.path("/etc/nginx/conf.d/etapiste.conf"))
    signaling = ServiceRun(
        site.unit("etapiste-signaling.service",
                  ("[Service]\nEnvironment=ETAPISTE_ALWAYS_OPEN=true\n",)),
        root, site.work / "logs" / "signaling-after-cluster.log", netns=dc,
    )
    signaling.start()
    site.services["signaling"] = signaling
    site.nginx = root.popen(["nginx", "-g", "daemon off;"], netns=dc,
                            stdout=(site.work / "logs" / "nginx.log").open("ab"))
    wait_for(lambda: '"msg": "listening"' in signaling.log(), 30, "the signaling server")


def test_two_nodes_from_the_template_unit_on_postgresql_behind_nginx(site: Site) -> None:
    root, dc = site.root, site.topo.dc
    site.services.pop("signaling").stop()
    if site.nginx is not None:
        site.nginx.terminate()
        site.nginx.wait(10)
        site.nginx = None
    password = secrets.token_hex(12)
    nodes: dict[str, ServiceRun] = {}
    nginx = None
    try:
        _install_postgresql(site, password)
        _install_nodes(site, password)
        done = root.run(["systemd-analyze", "verify",
                         "/etc/systemd/system/etapiste-signaling@n1.service"], check=False)
        report = (done.stdout + done.stderr).strip()
        assert done.returncode == 0 and report == "", report
        for name in NODES:
            unit = Unit.load(root.path(f"/etc/systemd/system/{UNIT}"), instance=name)
            nodes[name] = ServiceRun(unit, root, site.work / "logs" / f"node-{name}.log",
                                     netns=dc)
            nodes[name].start()
            wait_for(lambda n=nodes[name]: '"msg": "listening"' in n.log(), 60, f"node {name}")
        wait_for(lambda: _psql(site, "SELECT holder FROM cluster_lease") in NODES, 30,
                 "a node leading")
        leader = _psql(site, "SELECT holder FROM cluster_lease")
        # Each node runs as the unprivileged user, in its own state directory.
        for name, service in nodes.items():
            assert service.main is not None
            status = open(f"/proc/{service.main.pid}/status").read()  # noqa: SIM115
            assert f"Uid:\t{root.user('etapiste').uid}" in status
            assert root.path(f"/var/lib/etapiste/{name}").is_dir()
        root.run(["nginx", "-t", "-q"], netns=dc)
        nginx = root.popen(["nginx", "-g", "daemon off;"], netns=dc,
                           stdout=(site.work / "logs" / "nginx-cluster.log").open("wb"))
        wait_for(lambda: _fetch(site, f"{site.base_url}/readyz") == "200", 30, "the proxy")

        # The leader's process dies: the other node leads, the proxy goes on answering.
        term = int(_psql(site, "SELECT term FROM cluster_lease"))
        victim = nodes[leader].main
        assert victim is not None
        os.killpg(victim.pid, 9)  # (Restart=always brings it back, as a follower)
        survivor = next(n for n in NODES if n != leader)
        wait_for(lambda: _psql(site, "SELECT holder FROM cluster_lease") == survivor, 30,
                 "the other node leading")
        assert int(_psql(site, "SELECT term FROM cluster_lease")) > term
        deadline = time.monotonic() + 20
        answers = []
        while time.monotonic() < deadline and answers[-3:] != ["200"] * 3:
            answers.append(_fetch(site, f"{site.base_url}/readyz"))
        assert answers[-3:] == ["200"] * 3, answers
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        for service in nodes.values():
            service.stop()
        root.run(["pg_ctlcluster", "15", "main", "stop"], netns=dc, check=False)
        _restore_single(site)
