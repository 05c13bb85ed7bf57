"""A UI loop that stops feeding the watchdog leaves a report of where it hung."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_hung_ui_loop_leaves_its_stack_in_the_crash_log(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from kiosk import crash
        crash.install(Path({str(tmp_path)!r}))
        crash.arm_hang_report(0.3)      # what each keepalive does
        def stuck_in_a_slot():
            time.sleep(1.5)             # the UI thread hangs: no keepalive re-arms it
        stuck_in_a_slot()
        crash.disarm_hang_report()
        crash.arm_hang_report(0.3)
        crash.disarm_hang_report()      # a clean shutdown leaves no second report
        time.sleep(0.6)
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    log = (tmp_path / "faulthandler.log").read_text()
    assert log.count("Timeout (0:00:00") == 1, log
    assert "stuck_in_a_slot" in log, log
