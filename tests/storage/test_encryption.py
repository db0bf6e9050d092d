"""Encryption at rest: a canary person leaves no trace in the data dir; the right keys open it, nothing else does;
a conversion interrupted at any step loses nothing."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pytest

from desktop.accounts.staff import Accounts
from desktop.domain import idnumber
from desktop.domain.errors import DeskError, StoreError
from desktop.intake import demo
from desktop.storage import crypto, encrypt
from desktop.storage.blobs import BlobStore
from desktop.storage.db import open_db
from desktop.storage.store import Store

FIRST17 = "43052119800101123"
CANARY_ID = FIRST17 + idnumber.check_digit(FIRST17)
CANARY_PHONE = "13987654321"
CANARY_NAME = "司马灵犀"
ADMIN_PW = "adminpass1"


def encodings(text: str) -> list[bytes]:
    return [text.encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be", "gbk")]


NEEDLES = [n for s in (CANARY_ID, CANARY_PHONE, CANARY_NAME) for n in encodings(s)]


def scan_of_canary() -> bytes:
    """A stand-in for an ID-card scan: the canary's name, number and phone in every encoding we search for."""
    return b"%PDF-1.4\n" + b"\n".join(NEEDLES) + random.Random(7).randbytes(64)


def accept_canary(store: Store, seed: int) -> None:
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), dt.date(2026, 11, 27))
    case.applicant.name, case.applicant.id_number, case.applicant.phone = CANARY_NAME, CANARY_ID, CANARY_PHONE
    demo.receive_all(service, case)
    store.accept(case, actor="admin")


def found_in(data_dir: Path) -> list[str]:
    """Every file under the data dir (database, WAL, journal, keys, blobs, logs, temp) holding a canary."""
    hits = []
    for path in data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.name}: {n!r}" for n in NEEDLES if n in data]
    return hits


@pytest.fixture(autouse=True)
def _locked_after():
    yield
    crypto._unlocked.clear()


@pytest.fixture
def encrypted(store: Store, data_dir: Path) -> str:
    """A plain data dir with an administrator, a canary case and a canary scan, converted; returns the recovery key."""
    Accounts(store.db).create_admin("admin", "黄建华", ADMIN_PW)
    accept_canary(store, 3)
    BlobStore.of(data_dir).put_bytes(scan_of_canary())
    assert found_in(data_dir), "the canary must be there in plain before the conversion, or the test proves nothing"
    store.close()
    return encrypt.convert(data_dir, "admin", ADMIN_PW)


def test_a_canary_person_is_nowhere_in_the_encrypted_data_dir(encrypted, data_dir: Path, catalog):
    store = Store.open(data_dir, catalog)
    accept_canary(store, 4)  # written after the conversion: into the WAL, then the database
    sha, _ = BlobStore.of(data_dir).put_bytes(scan_of_canary() + b"2")
    assert (data_dir / "desk.sqlite-wal").stat().st_size > 0
    assert found_in(data_dir) == []  # with the WAL live
    assert sum(1 for r in store.db.query("SELECT 1 FROM cases")) == 2
    assert CANARY_NAME.encode() in BlobStore.of(data_dir).read(sha)
    store.close()
    assert found_in(data_dir) == []
    assert not (data_dir / "blobs" / sha[:2] / sha[2:]).exists()  # the name is keyed, not the sha256


def test_a_wrong_password_opens_nothing(encrypted, data_dir: Path):
    crypto.forget(data_dir)
    with pytest.raises(StoreError, match="已加密"):
        open_db(data_dir)
    with pytest.raises(DeskError, match="无法解锁"):
        crypto.unlock_password(data_dir, "admin", "wrongpass1")
    with pytest.raises(DeskError, match="无法解锁"):
        crypto.unlock_password(data_dir, "nobody", ADMIN_PW)
    with pytest.raises(DeskError, match="恢复密钥不对"):
        crypto.unlock_recovery(data_dir, crypto.new_recovery_code())
    with pytest.raises(StoreError):
        BlobStore.of(data_dir)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(data_dir / "desk.sqlite").execute("SELECT * FROM cases").fetchall()


def test_the_recovery_key_opens_everything_and_replaces_a_forgotten_password(encrypted, data_dir: Path):
    from desktop.accounts import keywrap

    crypto.forget(data_dir)
    crypto.unlock_recovery(data_dir, encrypted.lower().replace("-", " "))  # as typed from the paper
    db = open_db(data_dir)
    assert db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    keywrap.recover(db, "admin", "newpass123", at=dt.datetime(2026, 11, 28, 9, 0))
    db.close()
    crypto.forget(data_dir)
    with pytest.raises(DeskError):
        crypto.unlock_password(data_dir, "admin", ADMIN_PW)  # the forgotten password no longer opens it
    crypto.unlock_password(data_dir, "admin", "newpass123")
    db = open_db(data_dir)
    Accounts(db).login("admin", "newpass123")
    assert "key.recover" in {r["action"] for r in db.query("SELECT action FROM audit")}
    db.close()


def test_added_reset_and_changed_passwords_still_open(encrypted, data_dir: Path):
    db = open_db(data_dir)
    accounts = Accounts(db)
    admin = accounts.login("admin", ADMIN_PW)
    accounts.add_user(admin, "lixl", "李晓兰", "窗口人员", password="initial123")
    db.close()
    for password in ("initial123",):
        crypto.forget(data_dir)
        crypto.unlock_password(data_dir, "lixl", password)
    db = open_db(data_dir)
    accounts = Accounts(db)
    clerk = accounts.login("lixl", "initial123")
    accounts.change_password(clerk, "initial123", "changed123")
    accounts.reset_password(accounts.login("admin", ADMIN_PW), "lixl", "reset12345")
    db.close()
    crypto.forget(data_dir)
    for old in ("initial123", "changed123"):
        with pytest.raises(DeskError):
            crypto.unlock_password(data_dir, "lixl", old)
    crypto.unlock_password(data_dir, "lixl", "reset12345")
    open_db(data_dir).close()


def test_a_disabled_account_no_longer_opens_the_data(encrypted, data_dir: Path):
    db = open_db(data_dir)
    accounts = Accounts(db)
    admin = accounts.login("admin", ADMIN_PW)
    accounts.add_user(admin, "lixl", "李晓兰", "窗口人员", password="initial123")
    accounts.set_disabled(admin, "lixl")
    db.close()
    crypto.forget(data_dir)
    with pytest.raises(DeskError):
        crypto.unlock_password(data_dir, "lixl", "initial123")


class CrashError(Exception):
    """Stands for the process dying at this step: no code of the conversion runs after it."""


def _crash(*_a, **_k):
    raise CrashError


_replace = encrypt.os.replace


def _crash_at_swap(src, dst):
    """The plain database is already zeroed when its encrypted copy is renamed over it: die just then."""
    if str(src).endswith(encrypt.NEW):
        raise CrashError
    _replace(src, dst)


@pytest.mark.parametrize("step", ["export", "commit", "seal", "scrub", "swap"])
def test_a_conversion_stopped_at_any_step_loses_nothing(store: Store, data_dir: Path, catalog, monkeypatch, step):
    Accounts(store.db).create_admin("admin", "黄建华", ADMIN_PW)
    accept_canary(store, 3)
    sha, _ = BlobStore.of(data_dir).put_bytes(scan_of_canary())
    store.close()
    target = {"export": (encrypt, "_verify"), "commit": (crypto.KeyFile, "save"),
              "seal": (BlobStore, "seal_plain"), "scrub": (encrypt, "is_plain"),
              "swap": (encrypt.os, "replace")}[step]
    with monkeypatch.context() as m:
        m.setattr(*target, _crash_at_swap if step == "swap" else _crash)
        with pytest.raises(CrashError):
            encrypt.convert(data_dir, "admin", ADMIN_PW)
    committed = step in ("seal", "scrub", "swap")
    assert crypto.is_encrypted(data_dir) == committed
    crypto.forget(data_dir)
    if committed:
        crypto.unlock_password(data_dir, "admin", ADMIN_PW)
    reopened = Store.open(data_dir, catalog)  # finishes (or discards) the interrupted conversion
    assert reopened.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    assert BlobStore.of(data_dir).read(sha) == scan_of_canary()
    reopened.close()
    assert not (data_dir / encrypt.NEW).exists()
    assert (found_in(data_dir) == []) == committed


def test_the_unlocking_password_logs_in_without_a_second_argon2_run_until_it_changes(encrypted, data_dir, monkeypatch):
    from desktop.accounts import passwords

    crypto.forget(data_dir)
    crypto.unlock_password(data_dir, "admin", ADMIN_PW)
    db = open_db(data_dir)
    accounts = Accounts(db)
    with monkeypatch.context() as m:
        m.setattr(passwords, "matches", lambda *a: pytest.fail("argon2 ran twice"))
        m.setattr(passwords, "matches_default", lambda *a: pytest.fail("argon2 ran twice"))  # the desk's own hasher
        session = accounts.login("admin", ADMIN_PW)
        with pytest.raises(pytest.fail.Exception):
            accounts.login("admin", "wrongpass1")  # anything but the proven password goes to argon2
    accounts.change_password(session, ADMIN_PW, "changed123")
    with pytest.raises(DeskError):
        accounts.login("admin", ADMIN_PW)  # the old password's proof went with the change
    db.close()


def test_a_refused_scan_kept_aside_in_quarantine_is_sealed(encrypted, data_dir: Path):
    from desktop.storage.blobs import keep_aside

    processing = data_dir / "processing"
    processing.mkdir()
    (processing / "x.scan").write_bytes(scan_of_canary())
    (data_dir / "quarantine").mkdir()
    keep_aside(data_dir, processing / "x.scan", data_dir / "quarantine" / "x.pdf")
    assert not (processing / "x.scan").exists() and (data_dir / "quarantine" / "x.pdf").is_file()
    assert found_in(data_dir) == []


def test_accounts_made_before_setup_open_the_data_with_their_own_password_and_get_a_wrap_at_login(
        store: Store, data_dir: Path):
    accounts = Accounts(store.db)
    accounts.create_admin("admin", "黄建华", ADMIN_PW)
    admin = accounts.login("admin", ADMIN_PW)
    accounts.add_user(admin, "lixl", "李晓兰", "窗口人员", password="clerkpass1", must_change=False)
    accounts.add_user(admin, "gone", "王离职", "窗口人员", password="gonepass1", must_change=False)
    accounts.set_disabled(admin, "gone")
    store.close()
    encrypt.convert(data_dir, "admin", ADMIN_PW)
    crypto.forget(data_dir)
    keys = crypto.KeyFile.load(data_dir)
    assert keys.needs_wrap("lixl") and not keys.needs_wrap("admin") and not keys.has_user("gone")
    with pytest.raises(DeskError):
        crypto.unlock_password(data_dir, "lixl", "wrongpass1")
    with pytest.raises(DeskError):
        crypto.unlock_password(data_dir, "gone", "gonepass1")  # a disabled account gets nothing
    crypto.unlock_password(data_dir, "lixl", "clerkpass1")  # the pending wrap, from her login hash
    db = open_db(data_dir)
    Accounts(db).login("lixl", "clerkpass1")
    db.close()
    keys = crypto.KeyFile.load(data_dir)
    wrap = next(w for w in keys.doc["wraps"] if w["tag"] == keys.tag("lixl"))
    assert not keys.needs_wrap("lixl") and "pending" not in wrap
    crypto.forget(data_dir)
    crypto.unlock_password(data_dir, "lixl", "clerkpass1")  # her ordinary wrap now
    open_db(data_dir).close()
