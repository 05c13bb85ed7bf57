"""The monitor's kiosk board works from changes: a step looks only at kiosks the hub named or
whose offline time came, never at all of them again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from signaling.kiosk_board import KioskBoard
from signaling.kiosk_health import HealthPolicy, KioskHealthTracker
from signaling.routing.model import RouterConfig
from signaling.routing.router import Router
from signaling.store.records import KioskRecord, SiteRecord

T0 = 1_750_000_000.0


@dataclass
class Report:
    """A kiosk's last health report, as the hub keeps it."""

    at: float
    camera: str = "ok"
    last_quality: Any = None

    @property
    def health_at(self) -> float:
        return self.at

    @property
    def health(self) -> Any:
        camera = self.camera

        class Health:
            def model_dump(self, mode: str) -> dict[str, Any]:
                return {"camera": camera, "microphone": "ok", "speaker": "ok"}

        return Health()


@dataclass
class Live:
    kiosk_live: dict[str, Report] = field(default_factory=dict)
    connected: set[str] = field(default_factory=set)

    def connected_kiosks(self) -> set[str]:
        return self.connected


def board_of(n: int) -> tuple[KioskBoard, list[str], list[tuple[str, float]]]:
    tracker = KioskHealthTracker(HealthPolicy(10.0, 2), T0 - 100)  # started a while ago
    persisted: list[tuple[str, float]] = []
    board = KioskBoard(tracker, {}, lambda k, at, h: persisted.append((k, at)))
    ids = [f"k{i:04d}" for i in range(n)]
    site = SiteRecord("lieksa", "Lieksa", "Lieksa", "Lieksa", "Pohjois-Karjala", T0)
    board.set_kiosks([KioskRecord(k, "lieksa", k, T0, None) for k in ids], {"lieksa": site})
    return board, ids, persisted


def test_only_changed_kiosks_are_looked_at_again() -> None:
    board, ids, persisted = board_of(2000)
    live, router = Live(), Router(RouterConfig(), {})
    assert len(board.update(T0 + 1, live, router)) == 2000  # the first look: everyone
    assert board.rows_built == 2000
    version = board.version
    before = board.row_list()
    assert board.update(T0 + 2, live, router) == {}  # nothing happened: nobody looked at
    assert board.version == version
    live.kiosk_live["k0007"] = Report(T0 + 3, camera="missing")
    live.connected.add("k0007")
    board.touch("k0007")
    changed = board.update(T0 + 3, live, router)
    assert list(changed) == ["k0007"]
    assert changed["k0007"].devices == {"camera": "missing", "microphone": "ok", "speaker": "ok"}
    assert board.rows["k0007"]["state"] == "online" and board.version > version
    assert persisted == [("k0007", T0 + 3)]
    assert board.rows_built == 2001  # one row built again, not 2000
    rows = board.row_list()
    assert [r["id"] for r in rows] == ids  # the dashboard's order
    assert rows[7] is board.rows["k0007"] and rows[7]["state"] == "online"
    assert before[7]["state"] != "online"  # a list handed out before does not change


def test_a_silent_kiosk_turns_offline_on_time_without_any_event() -> None:
    board, _ids, _ = board_of(50)
    live, router = Live(), Router(RouterConfig(), {})
    board.update(T0, live, router)
    live.kiosk_live["k0001"] = Report(T0 + 1)
    board.touch("k0001")
    board.update(T0 + 1, live, router)
    assert board.statuses["k0001"].state == "online"
    assert board.update(T0 + 25, live, router) == {}  # 24 s after its report: still online
    changed = board.update(T0 + 26.5, live, router)  # 25 s of silence have passed
    assert list(changed) == ["k0001"] and board.statuses["k0001"].state == "offline"
    assert changed["k0001"].offline is True


def test_a_change_to_every_kiosk_is_spread_over_steps_after_the_first() -> None:
    from signaling.kiosk_board import STEP_LIMIT

    n = STEP_LIMIT * 2 + 500
    board, ids, _ = board_of(n)
    live, router = Live(), Router(RouterConfig(), {})
    assert len(board.update(T0 + 1, live, router)) == n  # the first look: everyone at once
    for k in ids:
        board.touch(k)
    sizes = [len(board.update(T0 + 2 + i, live, router)) for i in range(4)]
    assert sizes == [STEP_LIMIT, STEP_LIMIT, 500, 0]
    assert board.rows_built == 2 * n
