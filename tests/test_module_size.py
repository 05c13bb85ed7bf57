"""Modules stay small enough to read: none in the server, the protocol, the demo or the tools
over 500 lines (the brief's hard limit). Import rules are checked by import-linter
(``make lint``, contracts in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("signaling", "wire", "demo", "tools")
LIMIT = 500


def test_no_module_over_the_limit() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert len(sizes) > 50  # the packages were found
    assert {p: n for p, n in sizes.items() if n > LIMIT} == {}
