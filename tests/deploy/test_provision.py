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
    env = root.path("/etc/etapiste/kiosk.env").read_text().splitlines()
    # No hearing loop and no helpline given: the kiosk shows neither (the server's site
    # setting can still turn the sign on).
    assert env == [f"ETAPISTE_SERVER={site.ws_url}", "ETAPISTE_HEARING_LOOP=0",
                   "ETAPISTE_HELPLINE="]


def test_the_spoken_guidance_is_rendered_for_the_kiosk_user(site: Site) -> None:
    root = site.root
    cache = root.path("/var/cache/etapiste-kiosk/speech")
    owner = root.user("etapiste-kiosk")
    # One folder per voice: Festival's Finnish (Suopuhe), espeak-ng's Swedish and English.
    voices = {p.name: sorted(p.glob("*.wav")) for p in cache.iterdir() if p.is_dir()}
    assert len(voices) == 3, voices.keys()
    assert any("suo" in name for name in voices), voices.keys()
    assert all(len(clips) >= 30 for clips in voices.values()), {
        k: len(v) for k, v in voices.items()}
    for clip in (c for clips in voices.values() for c in clips):
        info = clip.stat()
        assert info.st_uid == owner.uid and info.st_size > 10_000, clip
    # The headphone jack is an input device: the kiosk user may read it.
    groups = root.run(["id", "-nG", "etapiste-kiosk"]).stdout.split()
    assert {"video", "audio", "render", "input"} <= set(groups), groups
    # Finnish hyphenation (Voikko) works for the kiosk's Python.
    ran = root.run(
        ["setpriv", "--reuid=etapiste-kiosk", "--regid=etapiste-kiosk", "--init-groups",
         "/opt/etapiste/.venv/bin/python", "-c",
         "from kiosk.hyphenation import hyphenate; "
         "print(hyphenate('videoyhteydellä', 'fi').split('\\u00ad'))"]
    )
    assert ran.stdout.strip() == "['video', 'yh', 'tey', 'dellä']", ran.stdout
