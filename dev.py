"""Set up and run the desk with nothing but Python 3.11+: `python dev.py desk`, `demo`, `test` or `bundle`.

Creates .venv beside this file on first use, installs the project (editable) with its test extras, and
re-installs only when pyproject.toml changes, so the second run is quick. Stdlib only, on purpose.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed"


# import-linter has no `python -m` entry; this is its console script, run with the venv's python
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c(['--no-cache']))"


def venv_python() -> Path:
    sub = "Scripts/python.exe" if os.name == "nt" else "bin/python"
    return VENV / sub


def wanted_stamp(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} {extras}"


def ensure_env(extras: str = "test,build") -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python
        sys.exit("需要 Python 3.11 或更新版本 (Python 3.11+ is required).")
    if not venv_python().exists():
        print("创建虚拟环境 .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = wanted_stamp(extras)
    if not STAMP.exists() or STAMP.read_text(encoding="utf-8") != stamp:
        print("安装依赖 (首次需要几分钟) …", flush=True)
        py = str(venv_python())
        subprocess.check_call([py, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "-e", f".[{extras}]"], cwd=ROOT)
        STAMP.write_text(stamp, encoding="utf-8")
    return venv_python()


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "desk"
    rest = argv[1:]
    if cmd == "desk":
        py = ensure_env()
        return subprocess.call([str(py), "-m", "desktop", *rest], cwd=ROOT)
    if cmd == "demo":
        py = ensure_env()
        demo_dir = ROOT / ".demo-data"
        env = dict(os.environ, DESK_DATA_DIR=str(demo_dir))
        if not (demo_dir / "desk.sqlite").exists():
            code = subprocess.call([str(py), "-m", "desktop", "demo"], cwd=ROOT, env=env)
            if code:
                return code
        return subprocess.call([str(py), "-m", "desktop", *rest], cwd=ROOT, env=env)
    if cmd == "test":
        py = ensure_env()
        targets = [t for t in ("desktop", "hub", "tests", "bench", "scripts", "dev.py", "build.spec") if (ROOT / t).exists()]
        checks = [
            [str(py), "-m", "ruff", "check", *targets],              # style, naming, complexity ≤ 12
            [str(py), "-c", LINT_IMPORTS],                           # the rooms' import contract (pyproject)
            [str(py), "-m", "mypy"],                                 # types of domain and protocol (pyproject)
        ]
        for check in checks:
            if failed := subprocess.call(check, cwd=ROOT):
                return failed
        return subprocess.call([str(py), "-m", "pytest", *rest], cwd=ROOT)
    if cmd == "bundle":
        py = ensure_env()
        return subprocess.call([str(py), str(ROOT / "scripts" / "bundle_check.py"), *rest], cwd=ROOT)
    if cmd == "python":
        py = ensure_env()
        return subprocess.call([str(py), *rest], cwd=ROOT)
    print("用法: python dev.py desk|demo|test|bundle|python [参数…]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
