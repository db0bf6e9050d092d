"""A real hub in a thread on loopback, and a sync engine of the test's store enrolled with it."""

from __future__ import annotations

import random

import pytest

from desktop.sync import engine as sync
from hub import devices
from hub.config import HubConfig
from tests.hub.servers import ThreadedHub

OFFICE = "演示县政务服务中心"


@pytest.fixture
def hub(tmp_path):
    config = HubConfig(data_dir=tmp_path / "hub", db_url=f"sqlite:///{tmp_path / 'hub.sqlite'}")
    with ThreadedHub(config) as server:
        server.blob_root = config.blob_dir
        yield server


@pytest.fixture
def engine(store, hub):
    sync.connect(store, hub.url, devices.add(hub.engine, "W03", OFFICE, 1))
    return sync.SyncEngine(store, rng=random.Random(7))
