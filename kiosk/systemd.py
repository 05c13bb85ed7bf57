"""systemd readiness and watchdog keepalive (``sd_notify``) without libsystemd.

The keepalive is sent from a timer on the UI's own event loop: if the loop hangs, the pings
stop and systemd (``WatchdogSec=``) restarts the kiosk.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger("etapiste.kiosk.systemd")


def notify(message: str, environ: dict[str, str] | None = None) -> bool:
    """Send ``message`` (e.g. ``READY=1``, ``WATCHDOG=1``) to ``$NOTIFY_SOCKET``, if any."""
    env = os.environ if environ is None else environ
    address = env.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("sd_notify failed: %s", exc)
        return False
    return True


def watchdog_interval_s(environ: dict[str, str] | None = None) -> float | None:
    """Half of systemd's ``WatchdogSec`` (the recommended keepalive period), if enabled."""
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return max(0.1, int(usec) / 1e6 / 2)
    except ValueError:
        return None
