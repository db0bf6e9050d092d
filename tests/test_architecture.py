"""The rooms' import contract (pyproject's [tool.importlinter], docs/architecture.md) holds, and it bites.

Each forbidden import below is added to a copy of the tree; `lint-imports` must then fail and name the
contract it breaks. So a contract that silently stopped checking anything would fail this test too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def lint(tree: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(tree))  # the copy shadows the editable install
    return subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--config", str(tree / "pyproject.toml"), "--no-cache"], cwd=tree, env=env,
                          capture_output=True, text=True, encoding="utf-8")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    for name in ("desktop", "hub"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    return copy


def test_the_real_tree_keeps_every_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("desktop/domain/case.py", "from desktop.storage import store", "Rooms are layered"),
    ("desktop/forms/receipt.py", "from desktop.ui import printing", "Rooms are layered"),
    ("desktop/storage/blobs.py", "import PySide6.QtCore", "Only the ui imports Qt"),
    ("hub/cases.py", "from desktop.storage import db", "The hub imports only"),
    ("desktop/ledger/query.py", "from desktop.ledger import close", "No import cycles"),
])
def test_a_forbidden_import_breaks_the_build(tree, module, line, contract):
    path = tree / module
    original = path.read_text(encoding="utf-8")
    try:
        # inside a function, as the old code hid its cycles: the contract must see those too
        path.write_text(original + f"\n\ndef _added():\n    {line}  # noqa\n", encoding="utf-8")
        result = lint(tree)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout[-3000:]
