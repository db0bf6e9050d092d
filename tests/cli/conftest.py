"""A data dir with the county and window codes the case numbers need, set through the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import run


@pytest.fixture
def cli_dir(data_dir: Path) -> Path:
    run("settings", "set", "county_code", "439901", data_dir=data_dir)
    run("settings", "set", "window_code", "W03", data_dir=data_dir)
    return data_dir
