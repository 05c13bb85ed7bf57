"""The server-side units started by Debian's own systemd, sandbox and all.

The root is booted as a container (:mod:`tests.deploy.nspawn`) in the data centre's and then
the TURN host's network namespace; ``systemctl start`` runs the units with every directive
(ProtectSystem=strict, SystemCallFilter=, MemoryDenyWriteExecute=, the capability sets...).
Runs after the other site tests (it takes the root's mounts for the boot).
"""

from __future__ import annotations

import subprocess
import sys
import time

from tests.deploy.site import TURN_IP, Site
from tests.deploy.test_server_units import FETCH


def _fetch(site: Site, url: str) -> str:
    """GET from the kiosk's network with this checkout's Python (the root is booted now)."""
    return subprocess.run(["ip", "netns", "exec", site.topo.kiosk, sys.executable, "-c", FETCH,
                           url, str(site.ca.cert)], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


def _listening(netns: str) -> str:
    return subprocess.run(["ip", "netns", "exec", netns, "ss", "-Hltn"], capture_output=True,
                          text=True, check=True, timeout=10).stdout


def _stop_the_emulation(site: Site) -> None:
    for service in site.services.values():
        service.stop()
    if site.nginx is not None and site.nginx.poll() is None:
        site.nginx.terminate()
        site.nginx.wait(10)


def test_server_units_run_under_real_systemd(site: Site) -> None:
    _stop_the_emulation(site)
    from tests.deploy.nspawn import booted

    log = site.work / "logs" / "nspawn.log"
    with booted(site.root, site.topo.dc, log) as box:
        box.systemctl("start", "etapiste-signaling.service", "nginx.service")
        for unit in ("etapiste-signaling.service", "nginx.service"):
            assert box.systemctl("is-active", unit, check=False) == "active", box.systemctl(
                "status", unit, check=False)
        # The sandbox systemd applied, as the server's process sees it.
        main = box.show("etapiste-signaling.service", "MainPID")["MainPID"]
        status = dict(line.split(":\t", 1) for line in
                      box.run(["cat", f"/proc/{main}/status"]).stdout.splitlines()
                      if ":\t" in line)
        assert status["NoNewPrivs"].strip() == "1" and status["Seccomp"].strip() == "2"
        assert int(status["CapEff"], 16) == 0
        # Through Debian's nginx unit with the shipped site, from the kiosk's network.
        for _ in range(50):
            answer = _fetch(site, f"{site.base_url}/readyz")
            if answer == "200":
                break
            time.sleep(0.2)
        assert answer == "200", answer
        box.systemctl("stop", "etapiste-signaling.service")
        result = box.show("etapiste-signaling.service", "Result", "ExecMainStatus")
        assert result == {"Result": "success", "ExecMainStatus": "0"}, result
        journal = box.run(["journalctl", "-u", "etapiste-signaling", "--no-pager"]).stdout
        assert '"msg": "listening"' in journal and '"msg": "stopping"' in journal, journal

    # The TURN host: this test root is also the server, whose nginx Debian starts at boot;
    # the relay's machine has none (it would hold 443).
    with booted(site.root, site.turn_ns, log) as box:
        box.systemctl("stop", "nginx.service")
        box.systemctl("start", "etapiste-coturn.service")  # returns once it is READY
        state = box.show("etapiste-coturn.service", "ActiveState", "NRestarts", "MainPID")
        journal = box.run(["journalctl", "-u", "etapiste-coturn", "--no-pager"]).stdout
        assert state["ActiveState"] == "active" and state["NRestarts"] == "0", (state,
                                                                                journal[-3000:])
        main = state["MainPID"]
        status = dict(line.split(":\t", 1) for line in
                      box.run(["cat", f"/proc/{main}/status"]).stdout.splitlines()
                      if ":\t" in line)
        assert int(status["CapEff"], 16) == 1 << 10  # CAP_NET_BIND_SERVICE, nothing else
        for _ in range(50):
            if f"{TURN_IP}:443" in _listening(site.turn_ns):
                break
            time.sleep(0.2)
        assert f"{TURN_IP}:443" in _listening(site.turn_ns)
