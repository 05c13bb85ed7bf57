"""Headphones in the jack turn spoken guidance on: the jack watcher, without hardware."""

from __future__ import annotations

from pathlib import Path

from kiosk.headphones import HeadphoneWatch, read_jack


def test_changes_are_reported_once_and_unknown_changes_nothing() -> None:
    readings = iter([None, False, False, True, True, None, False])
    seen: list[bool] = []
    watch = HeadphoneWatch(seen.append, read=lambda: next(readings))
    for _ in range(7):
        watch.poll()
    assert seen == [False, True, False]


def test_a_failing_reader_is_unknown() -> None:
    def broken() -> bool | None:
        raise PermissionError("no access to /dev/input")

    seen: list[bool] = []
    HeadphoneWatch(seen.append, read=broken).poll()
    assert seen == []


def test_no_input_devices_means_no_jack(tmp_path: Path) -> None:
    assert read_jack(tmp_path) is None
    (tmp_path / "event0").write_bytes(b"")  # not a device: the ioctl fails
    assert read_jack(tmp_path) is None
