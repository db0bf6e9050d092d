"""Build the one-folder bundle from build.spec and smoke-test it: `python dev.py bundle` (docs/build.md).

Stdlib only; run with the venv's python (it must have PyInstaller). Steps: run PyInstaller on build.spec,
which bundles the committed data/catalog.sqlite as is (tests/domain/test_catalog.py guards it against its TOML
source), then run the frozen executable from a scratch folder with a scratch data dir: `--self-check`,
`catalog list --json` and `id check … --json`. Any failure exits 1 with the step named and, when the app
logged a traceback in its data dir, that log printed.
"""

from __future__ import annotations

import json
import locale
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "yijianshi-desk"
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / NAME
EXE = BUNDLE / ("yijianshi-cli" + (".exe" if os.name == "nt" else ""))   # the console one: it prints
DESK_EXE = BUNDLE / (NAME + (".exe" if os.name == "nt" else ""))         # windowed on Windows
HUB_EXE = BUNDLE / ("yijianshi-hub" + (".exe" if os.name == "nt" else ""))
SAMPLE_ID = "11010519491231002X"
RUN_TIMEOUT = 180


class StepFailedError(Exception):
    """A build or smoke-test step that did not do what it should; the message says which and why."""


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def run_build(args: list[str], title: str) -> None:
    step(title)
    print("$ " + " ".join(args), flush=True)
    if subprocess.call(args, cwd=ROOT) != 0:
        raise StepFailedError(f"{title} 失败 (failed); see the output above")


def build() -> float:
    started = time.monotonic()
    run_build([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(DIST),
               "--workpath", str(WORK), str(ROOT / "build.spec")], "PyInstaller")
    return time.monotonic() - started


def check_layout() -> None:
    """The datas must sit where desktop/domain/paths.py app_root() looks when frozen (sys._MEIPASS)."""
    step("bundle layout")
    for exe in (EXE, DESK_EXE, HUB_EXE):
        if not exe.is_file():
            raise StepFailedError(f"no executable at {exe}")
    internal = BUNDLE / "_internal"
    for rel in ("resources/catalog", "resources/calendar/overrides.toml", "data/catalog.sqlite"):
        if not (internal / rel).exists():
            raise StepFailedError(f"{rel} is missing from {internal}")
    # the 高拍仪's media backend (QtMultimedia's FFmpeg plugin): PySide6/plugins on Windows, PySide6/Qt/plugins on Linux
    if not any(p.is_dir() and any(p.iterdir()) for p in internal.glob("PySide6/**/plugins/multimedia")):
        raise StepFailedError(f"plugins/multimedia (QtMultimedia for the 高拍仪) is missing from {internal}")
    print(f"ok: {DESK_EXE.relative_to(ROOT)} (desk), {EXE.relative_to(ROOT)} (command line), _internal/resources, _internal/data/catalog.sqlite")


def frozen_env(data_dir: Path) -> dict[str, str]:
    """No PYTHONPATH & co. from the venv; UTF-8 pipes, else Chinese Windows writes JSON in cp936."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(QT_QPA_PLATFORM="offscreen", DESK_DATA_DIR=str(data_dir), PYTHONUTF8="1",
               PYTHONIOENCODING="utf-8")
    return env


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # the bootloader ignored PYTHONUTF8: the console's code page, then
        return raw.decode(locale.getpreferredencoding(False), "replace")


def run_frozen(args: list[str], data_dir: Path, cwd: Path, exe: Path = EXE) -> str:
    """Run a bundled executable away from the checkout, so it can only use what was bundled."""
    step(f"{exe.name} {' '.join(args)}")
    try:
        proc = subprocess.run([str(exe), *args], cwd=cwd, env=frozen_env(data_dir), capture_output=True,
                              timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise StepFailedError(f"`{' '.join(args)}` did not finish within {RUN_TIMEOUT} s") from exc
    out, err = decode(proc.stdout), decode(proc.stderr)
    print(shorten(out))
    if err.strip():
        print("[stderr] " + shorten(err, 4000))
    if proc.returncode != 0:
        raise StepFailedError(f"`{' '.join(args)}` exited {proc.returncode}{app_log(data_dir)}")
    return out


def shorten(text: str, limit: int = 600) -> str:
    text = text.rstrip()
    return text if len(text) <= limit else f"{text[:limit]}\n… ({len(text)} characters in all)"


def app_log(data_dir: Path) -> str:
    """The traceback the app logged for a bug (cli.py keeps it off the terminal)."""
    logs = sorted((data_dir / "logs").glob("*")) if (data_dir / "logs").is_dir() else []
    texts = [f"\n--- {p}\n{p.read_text(encoding='utf-8', errors='replace')[-6000:]}" for p in logs if p.is_file()]
    return "".join(texts)


def parse_json(out: str, what: str):
    try:
        return json.loads(out)
    except json.JSONDecodeError as exc:
        raise StepFailedError(f"{what} did not print JSON: {exc}") from exc


def expected_services() -> int:
    """One TOML file per service (docs/catalog.md): 20 today, more when a county adds one."""
    return len(list((ROOT / "resources" / "catalog" / "services").glob("*.toml")))


def smoke_test() -> None:
    with tempfile.TemporaryDirectory(prefix="desk-bundle-") as tmp:
        data_dir, cwd = Path(tmp) / "数据 目录", Path(tmp)
        run_frozen(["--self-check"], data_dir, cwd)
        services = parse_json(run_frozen(["catalog", "list", "--json"], data_dir, cwd), "catalog list")
        want = expected_services()
        if not isinstance(services, list) or len(services) != want:
            count = len(services) if isinstance(services, list) else type(services).__name__
            raise StepFailedError(f"catalog list: expected {want} services (one per TOML file), got {count}")
        info = parse_json(run_frozen(["id", "check", SAMPLE_ID, "--json"], data_dir, cwd), "id check")
        if not (info.get("valid") and info.get("birth_date") == "1949-12-31"):
            raise StepFailedError(f"id check: unexpected answer {info}")
        hub_dir = Path(tmp) / "汇聚 数据"
        code = run_frozen(["device", "add", "白水乡-笔记本1", "--office", "白水乡便民服务中心", "--data-dir",
                           str(hub_dir)], data_dir, cwd, exe=HUB_EXE)
        if not (hub_dir / "hub.sqlite").is_file() or "白水乡-笔记本1" not in code:
            raise StepFailedError(f"yijianshi-hub device add: no device recorded ({shorten(code)})")


def size_mb(folder: Path) -> float:
    """On Linux and macOS _internal/ holds symlinks to the Qt libraries: count each file once."""
    files = (p for p in folder.rglob("*") if not p.is_symlink() and p.is_file())
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> int:
    os.chdir(ROOT)
    try:
        seconds = build()
        check_layout()
        smoke_test()
    except StepFailedError as exc:
        print(f"\n打包检查失败 (bundle check FAILED): {exc}", file=sys.stderr)
        return 1
    print(f"\n打包检查通过 (bundle check passed): {BUNDLE.relative_to(ROOT)} — {size_mb(BUNDLE):.1f} MB, "
          f"PyInstaller {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
