"""What the benches share: the data sizes, timing fresh processes in alternation, and the ratio line."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

SIZES = (1_000, 10_000, 100_000)
PASSWORD = "demo2026"  # the demo staff's (desktop/intake/demo.py)


def env(**extra: str) -> dict[str, str]:
    """The environment of a measured process: offscreen Qt, and Python's bytecode cached as an installed desk has it
    (the PyInstaller bundle ships .pyc). With PYTHONDONTWRITEBYTECODE set, as in the shared shell, every fresh
    process compiled every module it imported: ~0.2 s of a `case show`, against a baseline that compiles one
    small file. The cache goes under the bench cache, not into the source tree."""
    cache = Path(os.environ.get("BENCH_CACHE") or Path.home() / ".cache" / "yijianshi-bench") / "pycache"
    environ = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   PYTHONPYCACHEPREFIX=str(cache), **extra)
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    return environ


def timed(cmd: Sequence[str], environ: dict[str, str] | None = None) -> float:
    """Wall time of one fresh process, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), env=environ or env(), capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode(errors='replace')[-800:]}")
    return elapsed


def cpu_timed(cmd: Sequence[str], environ: dict[str, str] | None = None) -> float:
    """CPU seconds (user + system) of one fresh process, which must succeed: on a shared machine under load
    this moves far less than wall time, so a ratio of CPU times still says what the process itself costs."""
    proc = subprocess.Popen(list(cmd), env=environ or env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err.decode(errors='replace')[-800:]}")
    return usage.ru_utime + usage.ru_stime


def timed_to(marker: bytes, cmd: Sequence[str], environ: dict[str, str] | None = None) -> float:
    """Wall time from starting a fresh process to the line `marker` on its stdout (e.g. its first paint),
    not to its exit: tearing down after the measured moment is no part of it. The process must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=environ or env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = None
    for raw in proc.stdout:  # type: ignore[union-attr]
        if raw.strip() == marker:
            elapsed = time.perf_counter() - start
    _, err = proc.communicate()
    if proc.returncode != 0 or elapsed is None:
        raise SystemExit(f"{' '.join(cmd)} failed or never printed {marker!r}: {err.decode(errors='replace')[-800:]}")
    return elapsed


def timed_lines(cmd: Sequence[str], environ: dict[str, str] | None = None) -> dict[str, float]:
    """Each stdout line's first word (`login paint` counts as one: the words before a number) and the wall time from
    the fresh process's start to that line; the number after it, if any, as `<word> value`. Must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=environ or env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen: dict[str, float] = {}
    for raw in proc.stdout:  # type: ignore[union-attr]
        at = time.perf_counter() - start
        words = raw.decode(errors="replace").split()
        name = " ".join(w for w in words if not w.replace(".", "").isdigit())
        seen.setdefault(name, at)
        numbers = [float(w) for w in words if w.replace(".", "").isdigit()]
        if numbers:
            seen[f"{name} value"] = numbers[0]
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err.decode(errors='replace')[-800:]}")
    return seen


def password_check(repeat: int = 3) -> tuple[float, float]:
    """The median wall and CPU time of one argon2 check of the demo password at the desk's own parameters, in this
    process: what a login costs by design (accounts/passwords.py; not to be weakened), shown apart."""
    from desktop.accounts import passwords

    hasher = passwords.default_hasher()
    stored = hasher.hash(PASSWORD)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        hasher.verify(stored, PASSWORD)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def alternate(commands: dict[str, tuple[Sequence[str], dict[str, str] | None]], runs: int, *,
              timer=timed) -> dict[str, float]:
    """The median wall time of each command, run in turn `runs` times after one warm-up each, so a load
    spike on the shared machine falls on baseline and product alike."""
    for cmd, environ in commands.values():
        timer(cmd, environ)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (cmd, environ) in commands.items():
            times[name].append(timer(cmd, environ))
    return {name: statistics.median(values) for name, values in times.items()}


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def line(what: str, ours: float, base: float, budget: float, unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    verdict = "ok" if ours / base <= budget else "OVER"
    return (f"{what:<44} {ours * scale:8.0f} {unit} / baseline {base * scale:6.0f} {unit}   "
            f"ratio {ours / base:5.2f}  (budget ≤ {budget})  {verdict}")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def arguments(*, sizes: tuple[int, ...] = SIZES, runs: int | None = None) -> argparse.Namespace:
    """--sizes (a comma list; `args.sizes` comes back as ints) and, when given a default, --runs; prints the
    machine's load first, since every bench's ratios are read against it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(map(str, sizes)))
    if runs is not None:
        parser.add_argument("--runs", type=int, default=runs)
    args = parser.parse_args()
    args.sizes = [int(n) for n in args.sizes.split(",")]
    print(load())
    return args
