"""Kill the scan intake at random SQL statements: every scan ends in the inbox exactly once, none is lost."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.scanfiles import image_bytes

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from desktop.intake import folder as intake
    from desktop.storage.store import Store

    data_dir, folder, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    store = Store.open(data_dir)
    count = 0

    def trace(_sql):
        global count
        count += 1
        if kill_at and count >= kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    store.db.conn.set_trace_callback(trace)
    intake.scan_once(store, folder, now=0.0, stability_delay=0.0)
    print("DONE", flush=True)
    """
)


def run_child(data_dir: Path, folder: Path, kill_at: int) -> int:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), str(folder), str(kill_at)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, -signal.SIGKILL), proc.stderr
    return proc.returncode


def test_killed_scan_passes_lose_no_scan_and_file_none_twice(tmp_path: Path):
    data_dir, folder = tmp_path / "数据", tmp_path / "扫描"
    folder.mkdir()
    names = [f"材料{n}.jpg" for n in range(6)]
    for n, name in enumerate(names):
        (folder / name).write_bytes(image_bytes("JPEG", 40 + n))
    rng = random.Random(2026)
    kills = 0
    for _ in range(8):  # early kills: a pass with scans left runs tens of statements, an idle one a few
        kills += run_child(data_dir, folder, rng.randint(2, 25)) == -signal.SIGKILL
    while run_child(data_dir, folder, 0) != 0:  # the clerk starts the desk again: a pass without a kill
        pass
    assert kills >= 3
    conn = sqlite3.connect(data_dir / "desk.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        taken = [r[0] for r in conn.execute("SELECT original_name FROM documents WHERE state = 'inbox'")]
        quarantined = conn.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    finally:
        conn.close()
    assert sorted(taken) == sorted(names) and quarantined == 0  # each once, none lost, none wrongly refused
    assert not list(folder.iterdir()) and not list((data_dir / "intake-processing").glob("*.scan"))
