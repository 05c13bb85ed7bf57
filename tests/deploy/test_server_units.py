"""The signaling server and coturn run from their units with the example configurations,
behind the shipped nginx site, TLS on, and clients verify them against the agency's CA."""

from __future__ import annotations

import subprocess

from tests.deploy.service import ServiceRun
from tests.deploy.site import TURN_IP, Site, wait_for

FETCH = """
import ssl, sys, urllib.error, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
try:
    print(urllib.request.urlopen(sys.argv[1], context=ctx, timeout=10).status)
except urllib.error.HTTPError as exc:
    print(exc.code)
except urllib.error.URLError as exc:
    print("refused:", exc.reason)
"""


def _fetch(site: Site, url: str, ca: str = "/etc/etapiste/ca.pem") -> str:
    """GET ``url`` from the kiosk's network, trusting ``ca`` (a path in the root)."""
    done = site.root.run(["/opt/etapiste/.venv/bin/python", "-c", FETCH, url, ca],
                         netns=site.topo.kiosk)
    return done.stdout.strip()


def _status(pid: int) -> dict[str, str]:
    lines = open(f"/proc/{pid}/status").read().splitlines()  # noqa: SIM115
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def _listening(netns: str) -> str:
    return subprocess.run(["ip", "netns", "exec", netns, "ss", "-Hltn"], capture_output=True,
                          text=True, check=True, timeout=10).stdout


def test_the_server_answers_over_tls_through_nginx_to_the_agency_ca(site: Site) -> None:
    assert _fetch(site, f"{site.base_url}/readyz") == "200"
    site.root.put("/tmp/other-ca.pem", site.wrong_ca.cert.read_bytes())
    refused = _fetch(site, f"{site.base_url}/readyz", "/tmp/other-ca.pem")
    assert refused.startswith("refused:") and "CERTIFICATE_VERIFY_FAILED" in refused, refused


def test_the_server_runs_as_its_user_without_privileges_behind_the_proxy(site: Site) -> None:
    main = site.services["signaling"].main
    assert main is not None
    status = _status(main.pid)
    uid = site.root.user("etapiste").uid
    assert status["Uid"].split()[0] == str(uid)
    assert int(status["CapEff"], 16) == 0 and int(status["CapBnd"], 16) == 0
    assert status["NoNewPrivs"].strip() == "1"
    # The example configuration: plain HTTP on loopback only, TLS at nginx.
    listening = _listening(site.topo.dc)
    assert "127.0.0.1:8443" in listening and "0.0.0.0:8443" not in listening


def test_coturn_holds_only_the_privilege_to_bind_443(site: Site) -> None:
    main = site.services["coturn"].main
    assert main is not None
    status = _status(main.pid)
    assert status["Uid"].split()[0] == str(site.root.user("turnserver").uid)
    net_bind_service = 1 << 10
    assert int(status["CapEff"], 16) == net_bind_service
    assert int(status["CapBnd"], 16) == net_bind_service
    assert f"{TURN_IP}:443" in _listening(site.turn_ns)
    # Type=notify: turnserver itself said it was ready once its listeners were open.
    ready = site.services["coturn"].notify.accepted("READY=1")
    assert ready and ready[0].pid == main.pid


def test_coturn_will_not_start_on_a_configuration_it_cannot_read(site: Site) -> None:
    conf = site.root.path("/etc/etapiste/turnserver.conf")
    mode = conf.stat().st_mode
    conf.chmod(0o600)  # root's alone: the turnserver user cannot read it
    try:
        unit = site.unit("etapiste-coturn.service")
        trial = ServiceRun(unit, site.root, site.work / "logs" / "coturn-unreadable.log",
                           netns=site.topo.kiosk)
        try:
            trial.start(manage=False)
        except Exception as exc:  # ExecStartPre failed: the unit does not start
            assert "ExecStartPre" in str(exc)
        else:
            raise AssertionError("coturn started without its configuration")
        finally:
            trial.stop()
    finally:
        conf.chmod(mode)


def test_the_server_stops_cleanly_on_sigterm_and_starts_again(site: Site) -> None:
    service = site.services["signaling"]
    code = service.stop()
    assert code == 0, service.log()[-3000:]
    assert '"msg": "stopping"' in service.log() or "stopp" in service.log()
    again = ServiceRun(service.unit, site.root, site.work / "logs" / "signaling-2.log",
                       netns=site.topo.dc)
    again.start()
    site.services["signaling"] = again
    wait_for(lambda: '"msg": "listening"' in again.log(), 30, "the signaling server")
    assert _fetch(site, f"{site.base_url}/readyz") == "200"
    # The proxy's access log has the requests, never a token or query string.
    access = site.root.path("/var/log/nginx/etapiste.log").read_text()
    assert "/readyz" in access and "etk_" not in access and "?" not in access
