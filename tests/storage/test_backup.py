"""Backups of an encrypted data dir: no canary inside, verified member by member, restored whole or not at all."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from desktop.accounts.staff import Accounts
from desktop.domain.errors import StoreError
from desktop.storage import backup, crypto, encrypt
from desktop.storage.blobs import BlobStore
from desktop.storage.db import open_db
from desktop.storage.store import Store
from tests.storage.test_encryption import ADMIN_PW, NEEDLES, accept_canary, scan_of_canary


@pytest.fixture(autouse=True)
def _locked_after():
    yield
    crypto._unlocked.clear()


@pytest.fixture
def made(store: Store, data_dir: Path, catalog, tmp_path: Path) -> tuple[Path, str]:
    Accounts(store.db).create_admin("admin", "黄建华", ADMIN_PW)
    accept_canary(store, 3)
    sha, _ = BlobStore.of(data_dir).put_bytes(scan_of_canary())
    store.close()
    encrypt.convert(data_dir, "admin", ADMIN_PW)
    db = open_db(data_dir)
    out = tmp_path / "备份 2026-11-28.zip"
    manifest = backup.create(db, data_dir, out)
    db.close()
    assert manifest["cases"] == 1 and len(manifest["files"]) == 3
    return out, sha


def test_a_backup_holds_nothing_readable_and_restores_with_a_staff_password(made, tmp_path: Path):
    out, sha = made
    data = out.read_bytes()
    assert [n for n in NEEDLES if n in data] == []
    target = tmp_path / "新电脑"
    backup.restore(out, target)
    crypto.unlock_password(target, "admin", ADMIN_PW)
    db = open_db(target)
    assert db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    db.close()
    assert BlobStore.of(target).read(sha) == scan_of_canary()


def test_a_damaged_backup_is_refused_naming_the_member(made, tmp_path: Path):
    out, _ = made
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, body[:-1] + bytes([body[-1] ^ 1]) if item.filename == "keys.json" else body)
    with pytest.raises(StoreError, match="keys.json"):
        backup.verify(damaged)
    with pytest.raises(StoreError):
        backup.restore(damaged, tmp_path / "empty")
    assert not (tmp_path / "empty").exists()


def test_a_restore_never_overwrites_and_a_killed_one_leaves_the_target_as_it_was(made, tmp_path, monkeypatch):
    out, _ = made
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(StoreError, match="空的"):
        backup.restore(out, busy)
    calls = []

    def dies_on_second(zf, name, staging):
        if calls:
            raise KeyboardInterrupt  # stands for the kill
        calls.append(name)
        real(zf, name, staging)

    real = backup._extract
    monkeypatch.setattr(backup, "_extract", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        backup.restore(out, tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()
    monkeypatch.setattr(backup, "_extract", real)
    backup.restore(out, tmp_path / "fresh")
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == ["blobs", "desk.sqlite", "keys.json"]


def test_the_catalog_versions_go_with_the_backup(store: Store, data_dir: Path, tmp_path: Path):
    from desktop.protocol import catalogsign
    from desktop.storage import catalogs
    from tests.countycatalog import county_catalog

    Accounts(store.db).create_admin("admin", "黄建华", ADMIN_PW)
    county = county_catalog(tmp_path).read_bytes()
    meta = catalogsign.describe(county) | {"effective": "2027-01-01", "note": "县级自增"}
    catalogs.install(store.db, data_dir, meta, county)
    store.close()
    encrypt.convert(data_dir, "admin", ADMIN_PW)
    db = open_db(data_dir)
    out = tmp_path / "备份.zip"
    assert f"catalogs/{meta['hash']}.sqlite" in backup.create(db, data_dir, out)["files"]
    db.close()
    backup.restore(out, tmp_path / "新电脑")
    assert catalogs.file_of(tmp_path / "新电脑", meta["hash"]).read_bytes() == county


def test_a_missing_folder_or_foreign_file_is_named_in_chinese_alone(tmp_path: Path):
    missing, folder, foreign = tmp_path / "没有的备份.zip", tmp_path / "备份夹", tmp_path / "照片.zip"
    folder.mkdir()
    foreign.write_bytes(b"JFIF not a zip")
    said = {}
    for path in (missing, folder, foreign):
        with pytest.raises(StoreError) as caught:
            backup.verify(path)
        said[path] = str(caught.value)
    assert said[missing] == f"找不到备份文件：{missing}"
    assert said[folder] == f"“{folder}”是文件夹，不是备份文件"
    assert said[foreign] == f"备份文件已损坏或不是工作台备份：{foreign}"
