"""Shared pieces for the network tests: why they cannot run here, and result reporting."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from tests.netkit.coturn import turnserver_unavailable_reason
from tests.netkit.netns import netns_unavailable_reason


@functools.cache
def unavailable_reason() -> str | None:
    """Why namespace + coturn tests cannot run on this machine (None: they can)."""
    return netns_unavailable_reason() or turnserver_unavailable_reason()


def skip_unless_netns() -> None:
    """Module-level skip with the reason, for modules that need namespaces and coturn."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"network namespace tests skipped: {reason}", allow_module_level=True)


def report(name: str, result: dict[str, Any], directory: Path) -> Path:
    """Write a scenario's figures as JSON beside the logs and echo them (``pytest -s``)."""
    path = directory / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(f"\n[{name}] {json.dumps(result, default=str)}\n(logs: {directory})")
    return path
