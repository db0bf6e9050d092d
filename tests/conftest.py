"""Shared fixtures: offscreen Qt, a fresh data dir per test, a store with numbering settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Data dirs stay plain at their first administrator unless a test says otherwise (docs/security.md): the
# fixtures, module-scoped ones too, build plain dirs; the tests of encryption unset it or convert explicitly.
os.environ["DESK_PLAIN_DATA"] = "1"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches the real per-user data or config dirs."""
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("DESK_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir on a path with Chinese characters and spaces, as on a clerk's PC."""
    return tmp_path / "帮代办 数据"


@pytest.fixture
def catalog():
    from desktop.domain import catalog

    return catalog.load()


@pytest.fixture
def store(data_dir: Path, catalog):
    from desktop.storage import settings
    from desktop.storage.store import Store

    s = Store.open(data_dir, catalog)
    settings.set_value(s.db, "county_code", "439901")
    settings.set_value(s.db, "window_code", "W03")
    settings.set_value(s.db, "office", "演示县政务服务中心")
    yield s
    s.close()
