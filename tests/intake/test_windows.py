"""Intake as Windows behaves, simulated on Linux with the error numbers Windows gives: a file that antivirus,
the indexer or Explorer's preview holds (WinError 32), a read-only file, and a permission the clerk lacks
(WinError 5) — each must neither stall intake nor lose or double-file a scan."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from desktop.intake import folder as intake
from desktop.storage import fileops
from tests.scanfiles import image_bytes, settle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "scans"
    path.mkdir()
    return path


def windows_error(winerror: int) -> OSError:
    exc = PermissionError(errno.EACCES, "模拟的 Windows 错误")
    exc.winerror = winerror  # what Windows sets; Linux never does
    return exc


class Clock:
    def __init__(self):
        self.now, self.slept = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_sharing_violation_is_retried_then_reported_held_never_as_a_failure(tmp_path):
    target = tmp_path / "a.scan"
    target.write_bytes(b"x")
    clock, calls = Clock(), []
    real_unlink = Path.unlink

    def flaky(self, missing_ok=False):
        calls.append(self)
        if len(calls) < 4:
            raise windows_error(32)
        real_unlink(self, missing_ok=missing_ok)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "unlink", flaky)
        fileops.remove(target, sleep=clock.sleep, clock=clock)
    assert not target.exists() and len(calls) == 4 and sum(clock.slept) < fileops.WINDOW
    always = [0]

    def held(self, missing_ok=False):
        always[0] += 1
        raise windows_error(32)

    target.write_bytes(b"y")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "unlink", held)
        with pytest.raises(fileops.HeldError) as err:
            fileops.remove(target, sleep=clock.sleep, clock=clock)
    assert fileops.is_held(err.value) and always[0] > 1


def test_a_read_only_file_is_made_writable_and_removed(tmp_path):
    target = tmp_path / "只读.pdf"
    target.write_bytes(b"x")
    os.chmod(target, stat.S_IREAD)
    clock, real_unlink, tries = Clock(), Path.unlink, []

    def windows_unlink(self, missing_ok=False):
        tries.append(1)
        if not os.stat(self).st_mode & stat.S_IWRITE:  # Windows refuses to delete a read-only file
            raise windows_error(5)
        real_unlink(self, missing_ok=missing_ok)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "unlink", windows_unlink)
        fileops.remove(target, sleep=clock.sleep, clock=clock)
    assert not target.exists() and len(tries) == 2


def test_a_committed_scan_whose_clean_up_is_held_is_never_quarantined(store, folder, monkeypatch):
    """Antivirus keeps the processed copy open for several passes: the scan is in the inbox once, and it is
    never also quarantined as 多次处理失败 (before, each pass counted an attempt)."""
    (folder / "户口本.jpg").write_bytes(image_bytes("JPEG", 1))
    real_unlink = Path.unlink
    held = {"on": True}

    def antivirus(self, missing_ok=False):
        if held["on"] and self.suffix == ".scan":
            raise windows_error(32)
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", antivirus)
    monkeypatch.setattr(fileops, "WINDOW", 0.0)
    first = settle(store, folder)
    assert len(first.accepted) == 1 and not first.quarantined
    for n in range(intake.MAX_ATTEMPTS + 2):
        again = intake.scan_once(store, folder, now=2000.0 + n, stability_delay=5)
        assert not again.quarantined and [a.get("recovered") for a in again.accepted] == [True]
    held["on"] = False
    intake.scan_once(store, folder, now=3000.0, stability_delay=5)
    assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert store.db.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    assert not list((store.data_dir / intake.PROCESSING).iterdir())


def test_a_held_scan_waits_without_counting_attempts_and_the_others_go_on(store, folder, monkeypatch):
    (folder / "a.jpg").write_bytes(image_bytes("JPEG", 2))
    (folder / "b.jpg").write_bytes(image_bytes("JPEG", 3))
    from desktop.intake import ingest

    real = ingest.scancheck.inspect

    def busy_for_a(path, **kw):
        if ingest.json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["name"] == "a.jpg":
            raise windows_error(32)
        return real(path, **kw)

    monkeypatch.setattr(ingest.scancheck, "inspect", busy_for_a)
    report = settle(store, folder)
    assert [a["name"] for a in report.accepted] == ["b.jpg"]
    for n in range(intake.MAX_ATTEMPTS + 2):
        later = intake.scan_once(store, folder, now=2000.0 + n, stability_delay=5)
        assert [w["why"] for w in later.waiting] == ["held"] and not later.quarantined
    monkeypatch.setattr(ingest.scancheck, "inspect", real)
    done = intake.scan_once(store, folder, now=3000.0, stability_delay=5)
    assert [a["name"] for a in done.accepted] == ["a.jpg"]


def test_a_permission_the_clerk_lacks_is_named_after_a_few_minutes(store, folder, monkeypatch):
    """Can create, cannot move (folder ACLs, Controlled Folder Access): not "still writing" forever."""
    (folder / "低保申请.pdf").write_bytes(image_bytes("PNG", 4))
    real_replace = os.replace

    def denied(src, dst):
        if Path(src).parent == folder:
            raise windows_error(5)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", denied)
    state = intake.IntakeState()
    intake.scan_once(store, folder, now=0.0, stability_delay=5, state=state)
    soon = intake.scan_once(store, folder, now=10.0, stability_delay=5, state=state)
    assert [w["why"] for w in soon.waiting] == ["locked"]
    later = intake.scan_once(store, folder, now=5 + intake.DENIED_PATIENCE + 1, stability_delay=5, state=state)
    assert [w["why"] for w in later.waiting] == ["denied"] and "拒绝访问" in later.waiting[0]["detail"]
    assert (folder / "低保申请.pdf").exists() and not later.quarantined
