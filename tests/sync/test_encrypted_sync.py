"""A desk whose data dir is encrypted syncs as a plain one: the hub receives each scan's plaintext, by its sha256."""

from __future__ import annotations

import random

import pytest

from desktop.accounts.staff import Accounts
from desktop.storage import crypto, encrypt
from desktop.storage.store import Store
from desktop.sync import engine as sync
from hub import devices
from tests.hub.deskside import attach_scans, check_all_arrived, new_case
from tests.sync.conftest import OFFICE


@pytest.fixture
def sealed_store(store: Store, data_dir, catalog):
    from desktop.storage import settings

    Accounts(store.db).create_admin("admin", "黄建华", "adminpass1")
    store.close()
    encrypt.convert(data_dir, "admin", "adminpass1")
    reopened = Store.open(data_dir, catalog)
    assert settings.get(reopened.db, "county_code") == "439901"
    yield reopened
    reopened.close()
    crypto._unlocked.clear()


def test_an_encrypted_desk_sends_its_sealed_scans_in_plain_over_the_channel(sealed_store, hub, monkeypatch):
    from desktop.sync import client

    monkeypatch.setattr(client, "SMALL_BLOB", 100_000)  # the 200 KB scan goes the resumable way, in chunks
    sync.connect(sealed_store, hub.url, devices.add(hub.engine, "W03", OFFICE, 1))
    engine = sync.SyncEngine(sealed_store, rng=random.Random(7))
    rng = random.Random(3)
    uuids = [new_case(sealed_store, rng) for _ in range(2)]
    for uuid in uuids:
        attach_scans(sealed_store, uuid, [200_000, 30_000], rng)
    report = engine.sync_now()
    assert report.ok and report.sent == 2 and report.blobs_sent == 4, report
    check_all_arrived(sealed_store, hub.engine, OFFICE, hub.blob_root)
