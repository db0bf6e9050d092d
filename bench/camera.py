"""A 高拍仪 page: crop and straighten a frame (desktop/intake/camera.py), against decoding the same frame's PNG —
the least any capture costs — in the same run (a ratio, never a timed test). Frames at 1280×960 (a preview-sized
camera) and 2592×1944 (5 MP, a typical 高拍仪), the page turned 7° on a dark mat. The work runs on a worker
thread; the budget says a page is ready well before the clerk has turned the next one.

    python bench/camera.py [--runs 5]
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import arguments, line
from desktop.intake import camera
from tests.intake import camerafiles

BUDGET = 4.0  # straightening ≤ 4 × decoding the PNG it comes from


def median_seconds(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def decode(png: bytes) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        im.load()


def main() -> None:
    args = arguments(sizes=(1280, 2592), runs=5)
    for width in args.sizes:
        size = (width, width * 3 // 4)
        png = camerafiles.frame_png(7.0, size=size)

        base = median_seconds(lambda data=png: decode(data), args.runs)
        ours = median_seconds(lambda data=png: camera.page_from_frame(data), args.runs)
        print(line(f"straighten a {size[0]}×{size[1]} frame", ours, base, BUDGET))


if __name__ == "__main__":
    main()
