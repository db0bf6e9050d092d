"""Scan intake: time from a file's last write to its inbox document, and the UI loop's longest stall meanwhile.

1. Latency. A file is written, one pass looks at it, and a second pass `stability_delay` later (given as an
   explicit clock value, so nothing sleeps) takes it: the second pass's wall time is what a clerk waits after
   the delay. Measured for a 200 KB photo and a 3-page scanned PDF (rendered for cover sheets too), as a
   ratio against copying the same bytes (plain, and with fsync as intake does) in the same run.
   Budget (DESIGN.md §7): ≤ 2 s after the writes settle, plus the stability delay.
2. Event loop. A QTimer ticking every 5 ms records its longest gap while a worker thread ingests 200 scans;
   the same timer with an idle worker is the baseline. Budget: never blocked > 100 ms.

    .venv/bin/python bench/intake.py [--rounds N] [--scans N]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from desktop.domain import catalog as catalog_mod
from desktop.intake import folder as intake
from desktop.storage.store import Store

DELAY = 5.0


def photo(seed: int) -> bytes:
    """About 200 KB of JPEG, like a phone photo of an ID card scaled down."""
    im = Image.effect_noise((720, 540), 40 + seed % 7).convert("RGB")
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    return out.getvalue()


def scanned_pdf(seed: int) -> bytes:
    """Three A4 pages at 150 dpi as greyscale JPEG images with lines of "text": what a desk scanner writes."""
    import random

    from PIL import ImageDraw

    rng = random.Random(seed)
    pages = []
    for _ in range(3):
        page = Image.effect_noise((1240, 1754), 6).point(lambda v: 235 + v % 20)  # paper grain
        draw = ImageDraw.Draw(page)
        for line in range(40):
            x = 120
            while x < 1100:
                w = rng.randint(12, 60)
                draw.rectangle([x, 150 + line * 38, x + w, 170 + line * 38], fill=rng.randint(10, 60))
                x += w + rng.randint(8, 20)
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:], quality=80)
    return out.getvalue()


def copy_time(data: bytes, src: Path, dst_dir: Path, *, sync: bool) -> float:
    src.write_bytes(data)
    dst = dst_dir / f"copy-{time.perf_counter_ns()}"
    started = time.perf_counter()
    shutil.copyfile(src, dst)
    if sync:
        with open(dst, "rb+") as fh:
            os.fsync(fh.fileno())
    return time.perf_counter() - started


def intake_time(store: Store, folder: Path, data: bytes, n: int) -> float:
    state = intake.IntakeState()
    (folder / f"scan-{n}.bin").write_bytes(data)
    intake.scan_once(store, folder, now=0.0, stability_delay=DELAY, state=state)
    started = time.perf_counter()
    report = intake.scan_once(store, folder, now=DELAY, stability_delay=DELAY, state=state)
    elapsed = time.perf_counter() - started
    assert len(report.accepted) == 1, report
    return elapsed


def latency(root: Path, rounds: int) -> None:
    store = Store.open(root / "data", catalog_mod.load())
    folder, scratch = root / "scans", root / "scratch"
    folder.mkdir()
    scratch.mkdir()
    print(f"latency after the {DELAY:.0f} s stability delay (median of {rounds}):")
    for label, make in (("200 KB photo", photo), ("3-page scanned PDF", scanned_pdf)):
        samples = [make(i) for i in range(rounds)]
        took = [intake_time(store, folder, data, i) for i, data in enumerate(samples)]
        plain = [copy_time(d, scratch / "src", scratch, sync=False) for d in samples]
        synced = [copy_time(d, scratch / "src", scratch, sync=True) for d in samples]
        med, base, base_sync = (statistics.median(x) for x in (took, plain, synced))
        print(f"  {label:<20} {len(samples[0]) // 1024:>5} KB  intake {med * 1000:7.1f} ms   "
              f"copy {base * 1000:6.2f} ms (×{med / base:.0f})   copy+fsync {base_sync * 1000:6.2f} ms "
              f"(×{med / base_sync:.1f})   budget 2000 ms: {'ok' if med < 2 else 'OVER'}")
    store.close()


def stalls(root: Path, scans: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QElapsedTimer, QTimer

    app = QCoreApplication.instance() or QCoreApplication([])
    folder = root / "stall-scans"
    folder.mkdir()
    for i in range(scans):
        (folder / f"scan{i:04d}.{'pdf' if i % 4 == 0 else 'jpg'}").write_bytes(
            scanned_pdf(i) if i % 4 == 0 else photo(i))

    def measure(work) -> tuple[float, float]:
        clock, worst, done = QElapsedTimer(), [0], threading.Event()
        clock.start()
        last = [clock.elapsed()]

        def tick() -> None:
            now = clock.elapsed()
            worst[0] = max(worst[0], now - last[0])
            last[0] = now
            if done.is_set():
                app.quit()

        timer = QTimer(interval=5)
        timer.timeout.connect(tick)
        timer.start()
        started = time.perf_counter()
        threading.Thread(target=lambda: (work(), done.set()), daemon=True).start()
        app.exec()
        timer.stop()
        return worst[0], time.perf_counter() - started

    def ingest_all() -> None:
        store = Store.open(root / "stall-data", catalog_mod.load())  # the worker's own connection: one writer
        state = intake.IntakeState()
        intake.scan_once(store, folder, now=0.0, stability_delay=DELAY, state=state)
        report = intake.scan_once(store, folder, now=DELAY, stability_delay=DELAY, state=state)
        assert len(report.accepted) == scans, (len(report.accepted), report.quarantined)
        store.close()

    idle_worst, _ = measure(lambda: time.sleep(2.0))
    busy_worst, took = measure(ingest_all)
    print(f"event loop while {scans} scans are ingested in a worker thread ({took:.1f} s, "
          f"{scans / took:.0f} scans/s):")
    print(f"  longest stall {busy_worst} ms, idle baseline {idle_worst} ms (×{busy_worst / max(idle_worst, 1):.1f})"
          f"   budget 100 ms: {'ok' if busy_worst <= 100 else 'OVER'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--scans", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        latency(Path(tmp), args.rounds)
        stalls(Path(tmp), args.scans)


if __name__ == "__main__":
    main()
