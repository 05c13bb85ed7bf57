"""Starting the members of a three- or four-member call as real processes (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.calls.processes import Headless, spawn

TONES = {"kiosk": 450, "clerk": 650, "interpreter": 950, "supervisor": 1250}
"""The test tone each member sends (client_core.headless_mesh.TEST_TONES)."""

SMALL = ["--video-size", "240x180", "--video-fps", "12"]
"""A smaller picture: four processes of three peer connections each share two cores."""

HEARD_DB = -55.0
"""A tone this loud counts as heard. Sent at -12 dBFS, it arrives near that on an idle machine;
on a loaded one a second of audio may be half concealment, so the bar is low. What a gated pair
carries is digital silence: no level at all, or below SILENT_DB."""
SILENT_DB = -80.0


def dump_events(data: Path, sides: dict[str, Headless]) -> None:
    """Every JSON line each member printed, beside its log (to read after a failure)."""
    import json

    for role, side in sides.items():
        (data / f"{role}.events.json").write_text(json.dumps(side.events, indent=1))


def mesh_args(role: str, probe_s: float = 2.0) -> list[str]:
    return ["--mesh", "--tone", str(TONES[role]), "--probe-interval", str(probe_s),
            "--stats-interval", "1", *SMALL]


async def agent(port: int, username: str, password: str, role: str, extra: list[str],
                hold_s: float, log: Path) -> Headless:
    return await spawn(
        "agent_console",
        ["--server", f"http://127.0.0.1:{port}", "--username", username,
         "--hold", str(hold_s), *mesh_args(role), *extra],
        {"ETAPISTE_PASSWORD": password},
        log=log,
    )


async def kiosk(port: int, token: str, hold_s: float, log: Path) -> Headless:
    return await spawn(
        "kiosk",
        ["--server", f"ws://127.0.0.1:{port}/ws", "--hold", str(hold_s), *mesh_args("kiosk")],
        {"ETAPISTE_KIOSK_TOKEN": token},
        log=log,
    )


def member_ids(side: Headless) -> dict[str, str]:
    """Role → member id, from the member's latest ``members`` line."""
    lines = side.of("members")
    assert lines, f"no members line; got {[e.get('event') for e in side.events]}"
    return {m["role"]: m["member_id"] for m in lines[-1]["members"]}


def heard(probe: dict[str, Any], member_id: str, role: str) -> float | None:
    """The level of ``role``'s tone in what arrived from ``member_id`` (None: silence)."""
    pair = probe["pairs"].get(member_id)
    if pair is None:
        return None
    level = pair["tones"].get(str(TONES[role]))
    return None if level is None else float(level)


def probes_with(side: Headless, members: int, after: float = 0.0) -> list[dict[str, Any]]:
    """Probe lines taken while media flowed from ``members`` others to ``side``."""
    return [
        p for p in side.of("probe")
        if len(p["pairs"]) == members and p["t"] >= after
        and all(x["audio_frames"] > 0 and x["frames_received"] > 0 for x in p["pairs"].values())
    ]


def loudest(probes: list[dict[str, Any]], member_id: str, role: str) -> float | None:
    """The highest level of ``role``'s tone from ``member_id`` over several probes (a loaded
    machine may conceal much of one second; none of them hears a gated pair)."""
    levels = [x for x in (heard(p, member_id, role) for p in probes) if x is not None]
    return max(levels, default=None)
