"""The member core's timers are settings: the environment (or the TOML file) reaches the hub
that routes, with the documented defaults and ranges."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from signaling.context import open_context
from signaling.settings import Settings


def test_member_grace_and_invitation_timeout_reach_the_routing_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETAPISTE_MEMBER_GRACE_S", "7.5")
    monkeypatch.setenv("ETAPISTE_MEMBER_OFFER_TIMEOUT_S", "12")
    ctx = open_context(Settings(data_dir=tmp_path / "data", port=0))
    try:
        core = ctx.hub.members.core
        assert (core.grace_s, core.offer_timeout_s) == (7.5, 12.0)
        ctx.stop_routing()  # a cluster node that loses the lease and later leads again
        ctx.start_routing(ctx.term or 1)
        core = ctx.hub.members.core
        assert (core.grace_s, core.offer_timeout_s) == (7.5, 12.0)
    finally:
        ctx.store.close()


def test_member_timer_defaults_and_ranges() -> None:
    settings = Settings()
    assert (settings.member_grace_s, settings.member_offer_timeout_s) == (20.0, 20.0)
    Settings(member_grace_s=0)  # out at once: allowed
    for bad in ({"member_grace_s": -1}, {"member_grace_s": 601},
                {"member_offer_timeout_s": 0}, {"member_offer_timeout_s": 301}):
        with pytest.raises(ValidationError):
            Settings(**bad)  # type: ignore[arg-type]


def test_the_decline_cool_off_reaches_the_router(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings().decline_cooloff_s == 30.0
    with pytest.raises(ValidationError):
        Settings(decline_cooloff_s=-1)
    monkeypatch.setenv("ETAPISTE_DECLINE_COOLOFF_S", "5")
    ctx = open_context(Settings(data_dir=tmp_path / "data", port=0))
    try:
        assert ctx.config.decline_cooloff_s == 5.0
    finally:
        ctx.store.close()
