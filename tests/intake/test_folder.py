"""Intake passes over a real folder: stability, exactly-once, duplicates, names, ignore lists, locks, recovery."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop.intake import claim, documents, folder as intake
from desktop.storage.blobs import BlobStore
from tests.scanfiles import image_bytes, pdf_bytes, settle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "扫描 文件夹"
    path.mkdir()
    return path


def docs(store) -> list[documents.Document]:
    return documents._select(store, "1", [])


def blob_bytes(store, doc: documents.Document) -> bytes:
    return BlobStore.of(store.data_dir).read(doc.sha256)


def test_a_file_written_in_chunks_is_taken_only_after_its_last_byte(store, folder: Path):
    """A writer thread holds the file open and writes chunk by chunk, pausing less than the delay each time."""
    content = pdf_bytes([f"page {i}" for i in range(60)])
    step = len(content) // 6 + 1
    chunks = [content[i:i + step] for i in range(0, len(content), step)]  # valid only with its last byte
    written, go = threading.Event(), threading.Event()

    def writer() -> None:
        with open(folder / "scan.pdf", "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                fh.flush()
                os.utime(fh.fileno())
                written.set()
                assert go.wait(10)
                go.clear()

    thread = threading.Thread(target=writer)
    thread.start()
    state, now = intake.IntakeState(), 0.0
    for _ in chunks:
        assert written.wait(10)
        written.clear()
        report = intake.scan_once(store, folder, now=now, stability_delay=5, state=state)
        assert not report.accepted and not report.quarantined
        assert [w["why"] for w in report.waiting] == ["unstable"]
        now += 3.0  # the scanner pauses 3 s between pages: shorter than the 5 s delay
        go.set()
    thread.join(10)
    early = intake.scan_once(store, folder, now=now, stability_delay=5, state=state)
    assert not early.accepted
    report = intake.scan_once(store, folder, now=now + 5, stability_delay=5, state=state)
    assert report.quarantined == [] and len(report.accepted) == 1
    (doc,) = docs(store)
    assert blob_bytes(store, doc) == content and doc.pages == 60
    assert not any(folder.iterdir())


def test_a_slow_writer_process_is_never_taken_early(store, folder: Path):
    """Real time: a subprocess writes a PDF in 8 chunks 0.15 s apart; passes poll with a 1.5 s delay."""
    content = pdf_bytes([f"page {i}" for i in range(40)])
    target = folder / "慢速扫描.pdf"
    code = ("import sys,time\n"
            "data=open(sys.argv[1],'rb').read(); n=len(data)//8+1\n"
            "with open(sys.argv[2],'wb') as f:\n"
            "    for i in range(0,len(data),n):\n"
            "        f.write(data[i:i+n]); f.flush(); time.sleep(0.15)\n")
    source = folder.parent / "source.bin"
    source.write_bytes(content)
    proc = subprocess.Popen([sys.executable, "-c", code, str(source), str(target)])
    state, seen = intake.IntakeState(), []
    deadline = time.monotonic() + 30
    while not docs(store) and time.monotonic() < deadline:
        report = intake.scan_once(store, folder, stability_delay=1.5, state=state)
        seen += report.quarantined
        time.sleep(0.05)
    proc.wait(10)
    assert seen == []
    (doc,) = docs(store)
    assert blob_bytes(store, doc) == content and doc.pages == 40


def test_hundreds_of_files_at_once_are_ingested_exactly_once(store, folder: Path):
    """300 files land together; a later pass with no watcher at all finds 50 more; rescans add nothing."""
    made = {}
    for i in range(300):
        fmt = ("JPEG", "PNG", "TIFF")[i % 3]
        data = image_bytes(fmt, i) if i % 10 else pdf_bytes([f"document {i}"])
        name = f"scan_{i:04d}.{'pdf' if i % 10 == 0 else fmt.lower()}"
        (folder / name).write_bytes(data)
        made[hashlib.sha256(data).hexdigest()] = name
    state = intake.IntakeState()
    report = settle(store, folder, state=state)
    assert len(report.accepted) == 300 and not report.quarantined and not report.waiting
    for i in range(300, 350):
        data = image_bytes("PNG", i)
        (folder / f"later_{i}.png").write_bytes(data)
        made[hashlib.sha256(data).hexdigest()] = f"later_{i}.png"
    later = settle(store, folder, state=state)
    assert len(later.accepted) == 50
    again = settle(store, folder, state=state)
    assert again.accepted == [] and again.waiting == []
    rows = docs(store)
    assert len(rows) == 350 and {d.sha256 for d in rows} == set(made)
    assert sorted(d.original_name for d in rows) == sorted(made.values())
    assert len(list((store.data_dir / "blobs").glob("*/*"))) == 350
    assert not any(folder.iterdir()) and not any((store.data_dir / "intake-processing").iterdir())


def test_the_same_scan_dropped_three_times_is_stored_once(store, folder: Path):
    data = pdf_bytes(["same scan"])
    for round_ in range(3):
        (folder / f"扫描{round_}.pdf").write_bytes(data)
        settle(store, folder)
    first, *dups = docs(store)
    assert first.duplicate_of is None and [d.duplicate_of for d in dups] == [first.id, first.id]
    assert len(list((store.data_dir / "blobs").glob("*/*"))) == 1
    assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1


def test_chinese_spaces_long_and_hostile_names_are_display_text_only(store, folder: Path):
    names = ["身份证 正面 扫描.jpg", "户口本（户主页） 2026.pdf", "残" * 80 + ".png", "a\u202egpj.exe", "..pdf"]
    for i, name in enumerate(names):
        data = pdf_bytes([f"n{i}"]) if name.endswith(".pdf") else image_bytes("JPEG" if "jpg" in name else "PNG", i)
        (folder / name).write_bytes(data)
    (folder / "..pdf").rename(folder / "x..pdf")
    report = settle(store, folder)
    shown = sorted(a["name"] for a in report.accepted)
    assert "身份证 正面 扫描.jpg" in shown and "户口本（户主页） 2026.pdf" in shown and "x..pdf" in shown
    assert "agpj.exe" in shown  # the right-to-left override is gone
    long_name = next(n for n in shown if n.startswith("残"))
    assert len(long_name) <= intake.NAME_MAX and long_name.endswith(".png")
    on_disk = [p.name for p in store.data_dir.rglob("*")]
    assert not any("身份证" in n or "残残" in n or "户口" in n for n in on_disk)


def test_clean_name_keeps_text_and_drops_what_could_mislead():
    assert intake.clean_name("  张三\t身份证 .jpg ") == "张三 身份证 .jpg"
    assert intake.clean_name("a/b\\c:d.pdf") == "a_b_c_d.pdf"
    assert intake.clean_name("\x00\x1f") == "（无名文件）"
    assert intake.clean_name("e\u0301.pdf") == "é.pdf"


def test_temp_and_system_files_are_left_alone(store, folder: Path):
    junk = ["Thumbs.db", "desktop.ini", "~$报告.docx", "scan.tmp", ".DS_Store", "._scan.jpg", "scan.pdf.part",
            "photo.jpg.crdownload", ".hidden.pdf"]
    for name in junk:
        (folder / name).write_bytes(pdf_bytes(["x"]))
    (folder / "子文件夹").mkdir()
    report = settle(store, folder)
    assert report.accepted == [] and report.waiting == [] and report.quarantined == []
    assert sorted(p.name for p in folder.iterdir()) == sorted([*junk, "子文件夹"])


def test_a_locked_file_waits_and_is_taken_when_released(store, folder: Path, monkeypatch):
    """Windows refuses to move a file the scanner still holds (sharing violation); that means 'not finished'."""
    (folder / "held.pdf").write_bytes(pdf_bytes(["held"]))
    real = os.replace

    def locked(src, dst, *a, **kw):
        if str(src).endswith("held.pdf"):
            raise PermissionError(errno.EACCES, "sharing violation")
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(intake.os, "replace", locked)
    report = settle(store, folder)
    assert [w["why"] for w in report.waiting] == ["locked"] and not report.quarantined
    monkeypatch.setattr(intake.os, "replace", real)
    assert len(settle(store, folder).accepted) == 1


def test_a_scanner_folder_on_another_volume_is_claimed_then_copied(store, folder: Path, monkeypatch):
    data = pdf_bytes(["on a share"])
    (folder / "share.pdf").write_bytes(data)
    real = os.replace

    def cross(src, dst, *a, **kw):
        if str(src).endswith("share.pdf") and "intake-processing" in str(dst):
            raise OSError(errno.EXDEV, "cross-device link")
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(intake.os, "replace", cross)
    (accepted,) = settle(store, folder).accepted
    assert hashlib.sha256(data).hexdigest() == accepted["sha256"]
    assert not any(folder.iterdir())


def test_a_file_written_to_after_the_look_is_put_back(store, folder: Path, monkeypatch):
    """POSIX lets a writer keep writing a moved file; a changed size after the move means: not finished."""
    path = folder / "growing.pdf"
    path.write_bytes(pdf_bytes(["start"]))
    real = os.replace

    def grow_then_move(src, dst, *a, **kw):
        if str(src).endswith("growing.pdf"):
            with open(src, "ab") as fh:
                fh.write(b"more")
        return real(src, dst, *a, **kw)

    state = intake.IntakeState()
    intake.scan_once(store, folder, now=0, stability_delay=5, state=state)
    monkeypatch.setattr(intake.os, "replace", grow_then_move)
    report = intake.scan_once(store, folder, now=5, stability_delay=5, state=state)
    monkeypatch.setattr(intake.os, "replace", real)
    assert report.accepted == [] and [w["why"] for w in report.waiting] == ["locked"]
    assert path.exists() and not list((store.data_dir / "intake-processing").iterdir())


def test_a_claim_left_by_a_crash_is_processed_once(store, folder: Path, monkeypatch):
    """Crash after the commit but before the clean-up, then crash before the commit: one document each."""
    (folder / "a.pdf").write_bytes(pdf_bytes(["a"]))
    (folder / "b.pdf").write_bytes(pdf_bytes(["b"]))

    class Crash(BaseException):
        pass

    def crash(self):
        raise Crash

    monkeypatch.setattr(intake.Claimed, "done", crash)
    with pytest.raises(Crash):
        settle(store, folder)
    monkeypatch.undo()
    (committed,) = docs(store)
    assert len(list((store.data_dir / "intake-processing").glob("*.scan"))) == 1
    other = ({"a.pdf", "b.pdf"} - {committed.original_name}).pop()

    def fail_insert(*a, **kw):
        raise Crash

    monkeypatch.setattr(documents, "insert", fail_insert)
    with pytest.raises(Crash):
        intake.scan_once(store, folder, now=0, stability_delay=0)
    monkeypatch.undo()
    report = intake.scan_once(store, folder, now=0, stability_delay=0)
    assert [(a["name"], a["recovered"]) for a in report.accepted] == [(other, False)]
    names = sorted(d.original_name for d in docs(store))
    assert names == ["a.pdf", "b.pdf"]
    assert not any((store.data_dir / "intake-processing").iterdir()) and not any(folder.iterdir())


def test_leftovers_of_an_interrupted_claim_are_cleaned(store, folder: Path):
    processing = store.data_dir / intake.PROCESSING
    processing.mkdir(parents=True)
    (processing / "x.copying").write_bytes(b"partial")
    (processing / "orphan.json").write_text('{"name": "never moved"}', encoding="utf-8")
    data = pdf_bytes(["held in the scanner folder"])
    (folder / f"{intake.CLAIM_PREFIX}20261127-000000-abcdef").write_bytes(data)
    (processing / "20261127-000000-abcdef.json").write_text('{"name": "共享盘.pdf"}', encoding="utf-8")
    report = intake.scan_once(store, folder, now=0, stability_delay=5)
    assert [a["name"] for a in report.accepted] == ["共享盘.pdf"]
    assert not any(processing.iterdir()) and not any(folder.iterdir())


def test_a_failing_claim_is_retried_then_quarantined_not_forever(store, folder: Path, monkeypatch):
    (folder / "x.pdf").write_bytes(pdf_bytes(["x"]))

    def disk_trouble(*a, **kw):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(intake, "ingest", disk_trouble)
    for _ in range(intake.MAX_ATTEMPTS):
        report = intake.scan_once(store, folder, now=0, stability_delay=0)
        assert [w["why"] for w in report.waiting] == ["error"] and not report.quarantined
    (q,) = intake.scan_once(store, folder, now=0, stability_delay=0).quarantined
    assert q["reason"] == "corrupt" and q["detail"] == "多次处理失败"


def test_a_second_pass_while_one_runs_returns_busy(store, folder: Path):
    (folder / "x.pdf").write_bytes(pdf_bytes(["x"]))
    with claim.PassLock(store.data_dir) as held:
        assert held
        assert intake.scan_once(store, folder, now=0, stability_delay=0).busy
    code = ("import fcntl,sys,time; f=open(sys.argv[1],'a+b'); fcntl.flock(f, fcntl.LOCK_EX);"
            "print('held', flush=True); sys.stdin.readline()")
    if os.name == "nt":
        pytest.skip("the other-process half uses flock")
    proc = subprocess.Popen([sys.executable, "-c", code, str(store.data_dir / "intake.lock")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    assert proc.stdout.readline().strip() == "held"
    assert intake.scan_once(store, folder, now=0, stability_delay=0).busy
    proc.communicate("\n", timeout=10)
    assert len(intake.scan_once(store, folder, now=0, stability_delay=0).accepted) == 1


def test_a_missing_folder_is_a_clear_error(store, tmp_path: Path):
    from desktop.domain.errors import DeskError

    with pytest.raises(DeskError, match="扫描文件夹不存在"):
        intake.scan_once(store, tmp_path / "没有这个文件夹", now=0)


def test_a_file_that_vanishes_during_the_listing_is_skipped(store, folder: Path, monkeypatch):
    """paperless-ngx#9277: a bulk copy over SMB left files 'not found' mid-pass; the pass must go on."""
    (folder / "gone.pdf").write_bytes(pdf_bytes(["gone"]))
    (folder / "kept.pdf").write_bytes(pdf_bytes(["kept"]))
    real = os.stat

    def vanishing(path, *a, **kw):
        if str(path).endswith("gone.pdf"):
            raise FileNotFoundError(errno.ENOENT, "gone")
        return real(path, *a, **kw)

    monkeypatch.setattr(intake.os, "stat", vanishing)
    report = settle(store, folder)
    monkeypatch.undo()
    assert [a["name"] for a in report.accepted] == ["kept.pdf"] and report.waiting == []
    assert len(settle(store, folder).accepted) == 1  # back again: taken on the next passes
