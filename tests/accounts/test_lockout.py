"""Lockout under parallel guesses: 25 guesses fired at once, each on its own connection as 25 processes
would be, reach the password check at most 5 times, and the account ends locked."""

from __future__ import annotations

import contextlib
import threading

import argon2

from desktop.accounts import passwords
from desktop.accounts.staff import MAX_FAILURES, AccountError, Accounts
from desktop.storage import audit
from desktop.storage.db import open_db

GUESSES = 25


class CountingHasher(argon2.PasswordHasher):
    """OWASP's minimum parameters (a check takes long enough for the guesses to overlap); counts checks."""

    def __init__(self) -> None:
        super().__init__(**passwords.OWASP_MINIMUM)
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash: str, password: str) -> bool:
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)


def test_25_parallel_guesses_reach_the_password_check_at_most_5_times(store, data_dir):
    setup = Accounts(store.db, hasher=argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    setup.create_admin("admin", "黄建华", "admin-password")
    hasher = CountingHasher()
    start = threading.Barrier(GUESSES)
    outcomes: list[str] = []

    def guess(i: int) -> None:
        db = open_db(data_dir, migrate=False)
        try:
            accounts = Accounts(db, hasher=hasher)
            start.wait()
            try:
                accounts.login("admin", f"wrong-guess-{i}")
                outcomes.append("in")
            except AccountError as exc:
                outcomes.append(exc.message)
        finally:
            db.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(GUESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == GUESSES and "in" not in outcomes
    assert hasher.checks <= MAX_FAILURES, f"{hasher.checks} guesses were checked"
    assert sum("锁定" in m for m in outcomes) >= GUESSES - MAX_FAILURES
    row = store.db.execute("SELECT locked_until FROM users WHERE username = 'admin'").fetchone()
    assert row[0] is not None, "the account is locked"
    actions = [e["action"] for e in audit.export(store.db)]
    assert actions.count("login.locked") == 1
    assert actions.count("login.failed") == hasher.checks
    assert audit.verify(store.db) is None, "the trail written by 25 connections at once is one unbroken chain"


def test_a_failure_during_a_lock_never_clears_it(store):
    accounts = Accounts(store.db, hasher=argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts.create_admin("admin", "黄建华", "admin-password")
    for i in range(MAX_FAILURES):
        with contextlib.suppress(AccountError):
            accounts.login("admin", f"wrong-{i}")
    locked = store.db.execute("SELECT locked_until FROM users").fetchone()[0]
    # A guess whose check began before the lock and ends after it: counted, and the lock stays.
    error = accounts._failed("admin", MAX_FAILURES + 1, accounts.clock(), "cli")
    assert "锁定" in error.message
    assert store.db.execute("SELECT locked_until FROM users").fetchone()[0] == locked
