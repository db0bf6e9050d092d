"""A login with the desk's own hasher checks a default-form hash through argon2-cffi's C binding (issue 16): the
same answers as argon2-cffi's PasswordHasher, the same rows and audit entries, the rehash of an older hash."""

from __future__ import annotations

import datetime as dt

import argon2
import pytest

from desktop.accounts import passwords
from desktop.accounts.staff import MAX_FAILURES, WRONG, AccountError, Accounts
from desktop.storage import audit

PASSWORD = "chuang-kou-2026"
T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CHEAP = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="module")
def desk_hash() -> str:
    return passwords.default_hasher().hash(PASSWORD)


def test_the_default_form_is_what_argon2_cffi_makes_with_the_desks_parameters(desk_hash):
    """If argon2-cffi's profile or encoding changed, the fast path would silently stop matching: it must not."""
    assert desk_hash.startswith(passwords.DEFAULT_HEADER) and passwords.in_default_form(desk_hash)
    assert not passwords.default_hasher().check_needs_rehash(desk_hash)
    assert passwords.in_default_form(passwords.DUMMY_HASH)


def _variants(desk_hash: str) -> list[str]:
    head, _, digest = desk_hash.rpartition("$")
    flipped = head + "$" + ("A" if digest[0] != "A" else "B") + digest[1:]
    return [desk_hash, flipped, desk_hash[:-1], desk_hash + "A", desk_hash.replace("$argon2id$", "$argon2i$"),
            CHEAP.hash(PASSWORD), argon2.PasswordHasher(type=argon2.Type.I, time_cost=1, memory_cost=1024,
                                                        parallelism=1).hash(PASSWORD),
            passwords.DUMMY_HASH, "", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$$"]


@pytest.mark.parametrize("typed", [PASSWORD, PASSWORD + "x", "", "密码-中文-2026"])
def test_the_fast_check_answers_as_argon2_cffi_does(desk_hash, typed):
    hasher = passwords.default_hasher()
    for stored in _variants(desk_hash):
        assert passwords.matches_default(stored, typed) == passwords.matches(hasher, stored, typed), stored[:40]


def test_the_rehash_question_is_answered_as_argon2_cffi_does(desk_hash):
    hasher = passwords.default_hasher()
    for stored in (desk_hash, CHEAP.hash(PASSWORD), desk_hash.replace("t=3", "t=4"), desk_hash[:-1]):
        assert passwords.needs_rehash_default(stored) == hasher.check_needs_rehash(stored), stored[:40]


def _accounts(store) -> Accounts:
    return Accounts(store.db, clock=lambda: T0)  # the desk's own hasher, as the command line uses it


def test_a_login_with_the_desks_hasher_counts_locks_and_records_as_before(store, desk_hash):
    accounts = _accounts(store)
    accounts.create_admin("admin", "黄建华", "admin-password")
    store.db.execute("INSERT INTO users (username, display_name, role, area, password_hash, must_change, created_at,"
                     " staff_no) VALUES ('lixiaolan', '李晓兰', 'clerk', '{}', ?, 0, ?, '')", [desk_hash, T0.isoformat()])
    session = accounts.login("lixiaolan", PASSWORD, via="cli")
    assert (session.username, session.role, session.area.label()) == ("lixiaolan", "clerk", "全县")
    with pytest.raises(AccountError, match=f"再输错{MAX_FAILURES - 1}次"):
        accounts.login("lixiaolan", "wrong-password", via="cli")
    with pytest.raises(AccountError, match=WRONG):
        accounts.login("nobody", PASSWORD, via="cli")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccountError):
            accounts.login("lixiaolan", "wrong-password", via="cli")
    with pytest.raises(AccountError, match="锁定"):
        accounts.login("lixiaolan", PASSWORD, via="cli")  # locked: the right password does not open it
    actions = [(e["username"], e["action"]) for e in audit.export(store.db)][1:]
    assert actions == [("lixiaolan", "login")] + [("lixiaolan", "login.failed")] + [("", "login.failed")] + [
        ("lixiaolan", "login.failed")] * (MAX_FAILURES - 1) + [("lixiaolan", "login.locked"),
                                                               ("lixiaolan", "login.refused")]
    assert audit.verify(store.db) is None
    row = store.db.execute("SELECT password_hash FROM users WHERE username = 'lixiaolan'").fetchone()
    assert row[0] == desk_hash  # a default-form hash is kept as it is


def test_an_older_hash_is_checked_by_argon2_cffi_and_upgraded_at_login(store):
    accounts = _accounts(store)
    accounts.create_admin("admin", "黄建华", "admin-password")
    store.db.execute("UPDATE users SET password_hash = ? WHERE username = 'admin'", [CHEAP.hash("admin-password")])
    accounts.login("admin", "admin-password")
    stored = store.db.execute("SELECT password_hash FROM users WHERE username = 'admin'").fetchone()[0]
    assert passwords.in_default_form(stored) and passwords.matches_default(stored, "admin-password")
