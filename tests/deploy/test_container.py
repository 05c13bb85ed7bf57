"""deploy/Containerfile builds with Debian's podman and the image runs the server.

This machine cannot pull from a registry, so the base is a local Debian 12 made with
mmdebstrap (the same minimal base as the throwaway roots) and passed as ``BASE``. Two
settings of this machine are given on the command line, each for a measured reason:

* ``--runtime runc``: Debian's default, crun 1.8, stops with "crun: cgroups in hybrid mode
  not supported, drop all controllers from cgroupv2" (this kernel mounts cgroup v1 with a v2
  hierarchy that has the hugetlb controller);
* ``--ulimit nofile=4096:4096 --ulimit nproc=4096:4096``: podman's default limits exceed this
  machine's hard limits (20000 open files), which root cannot raise here, and the runtime
  fails with "setrlimit `RLIMIT_NOFILE`: Operation not permitted".

The build borrows this machine's pip settings, package mirrors and CA bundle (``--volume``
and the Containerfile's ``PIP_CONFIG_FILE``/``PIP_CERT`` build arguments: build time only,
nothing of them ends up in the image).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from client_core.signaling_client import SignalingClient
from tests.calls.processes import free_port
from tests.deploy import rootfs
from tests.server.harness import FAST

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/etapiste-signaling:test"
RUNTIME = ["--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]
SITE_MIRRORS = ("/opt/wheels", "/opt/pypi", "/opt/pypi-more")
SITE_PIP = {"PIP_CONFIG_FILE": "/etc/pip.conf", "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt"}


def podman(*args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} -> {done.returncode}\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def unavailable_reason() -> str | None:
    for tool in ("podman", "runc"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: podman, runc)"
    return rootfs.unavailable_reason()


@pytest.fixture(scope="module")
def image() -> Iterator[dict[str, float]]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"container tests: {reason}")
    base_dir = rootfs.debian_base()
    base = f"localhost/etapiste-test-debian:{base_dir.name}"
    timings: dict[str, float] = {}
    if podman("image", "exists", base, check=False).returncode != 0:
        started = time.monotonic()
        tar = subprocess.Popen(["tar", "-C", str(base_dir), "--exclude=./.complete", "-cf", "-",
                                "."], stdout=subprocess.PIPE)
        subprocess.run(["podman", "import", "-q", "-", base], stdin=tar.stdout, check=True,
                       capture_output=True, timeout=300)
        assert tar.wait(60) == 0
        timings["import_base_s"] = round(time.monotonic() - started, 1)
    mounts = [f"--volume={p}:{p}:ro" for p in SITE_MIRRORS if Path(p).exists()]
    for arg, path in SITE_PIP.items():  # mounted beside the image's own files, not over them
        if Path(path).exists():
            inside = f"/run/site-{arg.lower()}"
            mounts += [f"--volume={path}:{inside}:ro", "--build-arg", f"{arg}={inside}"]
    started = time.monotonic()
    podman("build", "--format", "docker", "--network", "host", *RUNTIME, *mounts,
           "--build-arg", f"BASE={base}", "-f", str(ROOT / "deploy/Containerfile"),
           "-t", IMAGE, str(ROOT), timeout=900)
    timings["build_s"] = round(time.monotonic() - started, 1)
    print(f"\n[container] {json.dumps(timings)}")
    yield timings


def test_the_image_runs_the_server_as_its_user(image: dict[str, float], tmp_path: Path) -> None:
    port = free_port()
    name = f"etapiste-test-{port}"
    volume = f"etapiste-test-data-{port}"
    podman("volume", "create", volume)
    try:
        podman("run", "-d", "--name", name, "--network", "host", *RUNTIME,
               "-e", "ETAPISTE_HOST=127.0.0.1", "-e", f"ETAPISTE_PORT={port}",
               "-v", f"{volume}:/var/lib/etapiste", IMAGE)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, podman("logs", name).stderr[-3000:]
                time.sleep(0.3)
        assert podman("top", name, "user").stdout.split()[1:] == ["etapiste"]
        assert podman("healthcheck", "run", name, check=False).returncode == 0
        # An administrator adds a kiosk in the running container; the kiosk connects.
        added = podman("exec", name, "python", "-m", "signaling", "add-kiosk", "nurmes",
                       "Nurmes kiosk 1")
        token = added.stdout.strip().split()[-1]
        # Only the server is in the image: no media stack, no client code.
        probe = podman("exec", name, "python", "-c",
                       "import importlib.util as u; print([m for m in ('aiortc', 'av', 'cv2', "
                       "'numpy', 'websockets', 'client_core', 'kiosk') if u.find_spec(m)])")
        assert probe.stdout.strip() == "[]"

        async def connect() -> str:
            client = SignalingClient(f"ws://127.0.0.1:{port}/ws", token, backoff=FAST)
            try:
                welcome = await client.connected(timeout=10)
                return welcome.identity.name
            finally:
                await client.close()

        assert asyncio.run(connect()) == "Nurmes kiosk 1"
        podman("stop", "-t", "20", name, timeout=60)
        state = json.loads(podman("inspect", name).stdout)[0]["State"]
        assert state["ExitCode"] == 0, podman("logs", name).stderr[-3000:]
        assert '"msg": "stopping"' in podman("logs", name).stderr
    finally:
        podman("rm", "-f", name, check=False)
        podman("volume", "rm", "-f", volume, check=False)
