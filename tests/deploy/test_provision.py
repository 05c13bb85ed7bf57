"""provision-kiosk.sh, run as root in a fresh Debian 12, leaves a kiosk ready to start."""

from __future__ import annotations

import os
import stat

from tests.deploy.site import Site


def test_the_token_is_the_kiosk_users_alone(site: Site) -> None:
    token = site.root.path("/etc/etapiste/kiosk.token")
    info = token.stat()
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert info.st_uid == site.root.user("etapiste-kiosk").uid
    assert token.read_text().strip() == site.kiosk_token


def test_the_app_runs_on_debians_python_as_the_kiosk_user(site: Site) -> None:
    real = site.root.run(["readlink", "-f", "/opt/etapiste/.venv/bin/python"]).stdout.strip()
    assert real.startswith("/usr/bin/python3"), real  # Debian's, not a Python under /root
    ran = site.root.run(
        ["setpriv", "--reuid=etapiste-kiosk", "--regid=etapiste-kiosk", "--init-groups",
         "/opt/etapiste/.venv/bin/python", "-c",
         "import kiosk.session, PyQt6.QtWidgets, aiortc; print('ok')"]
    )
    assert ran.stdout.strip() == "ok"


def test_the_unit_is_enabled_and_the_ways_out_are_closed(site: Site) -> None:
    root = site.root
    wants = root.path("/etc/systemd/system/graphical.target.wants/etapiste-kiosk.service")
    assert wants.is_symlink()
    assert os.readlink(root.path("/etc/systemd/system/default.target")).endswith(
        "graphical.target")
    assert os.readlink(root.path("/etc/systemd/system/getty@tty1.service")) == "/dev/null"
    assert root.user("etapiste-kiosk").shell == "/usr/sbin/nologin"
    logind = root.path("/etc/systemd/logind.conf.d/etapiste-kiosk.conf").read_text()
    assert "NAutoVTs=0" in logind and "ReserveVT=0" in logind
    assert "kernel.sysrq = 0" in root.path("/etc/sysctl.d/90-etapiste-kiosk.conf").read_text()
    weston = root.path("/etc/etapiste/weston.ini").read_text()
    assert "vt-switching=false" in weston and "shell=kiosk-shell.so" in weston
    env = root.path("/etc/etapiste/kiosk.env").read_text()
    assert env.strip() == f"ETAPISTE_SERVER={site.ws_url}"


def test_systemd_accepts_every_unit(site: Site) -> None:
    # In the installed root: the programs, users and files the units name exist there.
    units = ["/etc/systemd/system/etapiste-kiosk.service",
             "/etc/systemd/system/etapiste-signaling.service",
             "/etc/systemd/system/etapiste-coturn.service"]
    done = site.root.run(["systemd-analyze", "verify", *units], check=False)
    report = (done.stdout + done.stderr).strip()
    assert done.returncode == 0 and report == "", report


def test_provisioning_refuses_bad_input(site: Site) -> None:
    script = "/root/etapiste/deploy/kiosk/provision-kiosk.sh"
    plain = site.root.run(["bash", script, "--server", "ws://x/ws"], input="etk_x\n",
                          check=False)
    assert plain.returncode == 2 and "wss://" in plain.stderr
    no_token = site.root.run(["bash", script, "--server", "wss://x/ws"], input="hello\n",
                             check=False)
    assert no_token.returncode == 2 and "token" in no_token.stderr
