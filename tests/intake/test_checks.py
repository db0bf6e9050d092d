"""Bad scans are quarantined with a reason, fast and in bounded memory; good ones are typed by content."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

from desktop.intake import documents, folder as intake, scancheck
from tests.scanfiles import image_bytes, pdf_bytes, png_header_bomb, settle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "scans"
    path.mkdir()
    return path


def _big_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((1200, 900), 50).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


BAD = {
    "truncated.pdf": (lambda: pdf_bytes(["cut short"] * 5)[:-300], "truncated"),
    "no-eof.pdf": (lambda: pdf_bytes(["x"]).rsplit(b"%%EOF", 1)[0], "truncated"),
    "random.pdf": (lambda: os.urandom(20_000), "unsupported"),
    "word.pdf": (lambda: b"PK\x03\x04" + os.urandom(500), "unsupported"),
    "bomb.png": (png_header_bomb, "bomb"),
    "bomb-just-over.png": (lambda: png_header_bomb(10_000, 8_001), "bomb"),
    "no-iend.png": (lambda: image_bytes("PNG", 1)[:-12], "truncated"),
    "cut.jpg": (lambda: _big_jpeg()[:-5000], "truncated"),
    "garbage-after-header.jpg": (lambda: b"\xff\xd8\xff\xe0" + os.urandom(3000), "truncated"),
    "locked.pdf": (lambda: pdf_bytes(["secret"], encrypt="口令"), "encrypted"),
    "broken.pdf": (lambda: b"%PDF-1.7\n" + os.urandom(4000) + b"\n%%EOF\n", "corrupt"),
}


def test_bad_scans_are_quarantined_with_reasons_fast_and_in_bounded_memory(store, folder: Path):
    for name, (make, _) in BAD.items():
        (folder / name).write_bytes(make())
    tracemalloc.start()
    started = time.perf_counter()
    report = settle(store, folder)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.accepted == [] and report.waiting == []
    got = {q["name"]: q["reason"] for q in report.quarantined}
    assert got == {name: reason for name, (_, reason) in BAD.items()}
    assert elapsed < 10 and peak < 16 * 1024 * 1024, (elapsed, peak)
    rows = documents.quarantined(store)
    assert {r["original_name"]: r["reason"] for r in rows} == got
    assert all(r["reason_label"] == scancheck.REASONS[r["reason"]] for r in rows)
    for row in rows:  # every refused file is kept, under a generated name, with its size recorded
        kept = store.data_dir / "quarantine" / row["file"]
        assert kept.stat().st_size == row["size"] > 0 and row["original_name"] not in row["file"]
    assert not any(folder.iterdir()) and not (store.data_dir / "blobs").exists()
    assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_a_bomb_is_refused_from_its_header_without_allocating_its_pixels(tmp_path: Path):
    """Measured in a fresh process: peak RSS hardly moves while a 10-gigapixel PNG is checked."""
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header_bomb())
    code = ("import resource,sys; from pathlib import Path; from desktop.intake import scancheck\n"
            "before=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "try:\n    scancheck.inspect(Path(sys.argv[1]))\nexcept scancheck.ScanRejectedError as e:\n    print(e.reason)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss-before)\n")
    if os.name == "nt":
        pytest.skip("ru_maxrss is POSIX")
    out = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, encoding="utf-8", check=True)
    reason, grown_kb = out.stdout.split()
    assert reason == "bomb" and int(grown_kb) < 20_000, out.stdout


def test_an_empty_file_waits_then_is_quarantined_after_the_timeout(store, folder: Path):
    (folder / "空白.pdf").write_bytes(b"")
    state = intake.IntakeState()
    for now in (0, 5, 60):
        report = intake.scan_once(store, folder, now=now, stability_delay=5, empty_timeout=120, state=state)
        assert [w["why"] for w in report.waiting] == ["empty"] and not report.quarantined
    report = intake.scan_once(store, folder, now=120, stability_delay=5, empty_timeout=120, state=state)
    assert [(q["name"], q["reason"]) for q in report.quarantined] == [("空白.pdf", "empty")]
    assert not any(folder.iterdir())


def test_an_empty_file_that_fills_up_is_taken(store, folder: Path):
    path = folder / "late.pdf"
    path.write_bytes(b"")
    state = intake.IntakeState()
    intake.scan_once(store, folder, now=0, stability_delay=5, empty_timeout=120, state=state)
    path.write_bytes(pdf_bytes(["arrived"]))
    intake.scan_once(store, folder, now=100, stability_delay=5, empty_timeout=120, state=state)
    report = intake.scan_once(store, folder, now=200, stability_delay=5, empty_timeout=120, state=state)
    assert len(report.accepted) == 1 and not report.quarantined


def test_a_file_over_the_size_limit_is_quarantined_unread(store, folder: Path):
    (folder / "huge.pdf").write_bytes(pdf_bytes(["x" * 50] * 50))
    (q,) = settle(store, folder, size_limit=1000).quarantined
    assert q["reason"] == "too_large" and "MB" in q["detail"]


@pytest.mark.parametrize(("name", "data", "mime", "pages"), [
    ("photo.pdf", lambda: image_bytes("JPEG", 3), "image/jpeg", 1),  # the extension lies; the bytes decide
    ("scan", lambda: image_bytes("PNG", 4), "image/png", 1),
    ("multi.tif", lambda: image_bytes("TIFF", 5, frames=4), "image/tiff", 4),
    ("doc.jpg", lambda: pdf_bytes(["a", "b", "c"]), "application/pdf", 3),
])
def test_type_and_pages_come_from_the_content(store, folder: Path, name, data, mime, pages):
    (folder / name).write_bytes(data())
    (a,) = settle(store, folder).accepted
    assert (a["mime"], a["pages"]) == (mime, pages)


def test_a_phone_jpeg_with_a_trailer_after_its_end_marker_is_accepted(tmp_path: Path):
    path = tmp_path / "phone.jpg"
    path.write_bytes(_big_jpeg() + b"SEFH" + os.urandom(2000))  # Samsung-style data after EOI
    assert scancheck.inspect(path).mime == "image/jpeg"


def test_a_truncated_multipage_tiff_is_refused(tmp_path: Path):
    data = image_bytes("TIFF", 9, size=(400, 300), frames=3)
    path = tmp_path / "cut.tif"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(scancheck.ScanRejectedError) as err:
        scancheck.inspect(path)
    assert err.value.reason in ("truncated", "corrupt")


def test_every_reason_has_a_chinese_label():
    assert set(scancheck.REASONS) == {"empty", "truncated", "corrupt", "unsupported", "bomb", "too_large",
                                      "encrypted", "too_many_pages"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in scancheck.REASONS.values())
