"""The Windows installer script compiles (makensis runs on Linux too; CI installs Debian's nsis).

It is compiled against a stand-in bundle folder: the point is that the script, its pages, Chinese strings,
shortcuts and uninstaller are valid, not the 300 MB of Qt. A real installer is built on Windows from
dist\\yijianshi-desk (docs/build.md)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "installer" / "yijianshi.nsi"


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis not installed (Debian: apt-get install nsis)")
def test_the_installer_script_compiles_into_a_windows_executable(tmp_path):
    dist = tmp_path / "dist" / "yijianshi-desk"
    (dist / "_internal").mkdir(parents=True)
    for name in ("yijianshi-desk.exe", "yijianshi-cli.exe", "_internal/placeholder.txt"):
        (dist / name).write_bytes(b"stand-in")
    out = tmp_path / "setup.exe"
    proc = subprocess.run(["makensis", "-V2", f"-DDIST={dist}", "-DVERSION=0.1.0", f"-DOUTFILE={out}", str(SCRIPT)],
                          cwd=SCRIPT.parent, capture_output=True, text=True, encoding="utf-8", errors="replace")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert out.read_bytes()[:2] == b"MZ"


def test_the_uninstaller_never_deletes_the_data_dir():
    """The data dir lives outside $INSTDIR; no line of the script may remove it."""
    text = SCRIPT.read_text(encoding="utf-8")
    removals = [line for line in text.splitlines() if line.split()[:1] in (["RMDir"], ["Delete"])]
    assert removals and not [line for line in removals if "yijianshi-desk\"" in line and "$LOCALAPPDATA" in line]
    assert all("$INSTDIR" in line or "$SMPROGRAMS" in line for line in removals)
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\yijianshi-desk"' in text and "RequestExecutionLevel user" in text
