"""Keeping the wraps of the data key (storage/crypto.py) in step with the staff's passwords.

An encrypted data dir's key is wrapped once per account: adding an account or resetting its password wraps it
under the new initial password, a change of one's own password re-wraps it, disabling removes the wrap, and a
login while the data dir is unlocked gives an account without a wrap (one that existed before encryption) its
own. Plain data dirs are left alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.domain.errors import DeskError
from desktop.storage import audit, crypto
from desktop.storage.db import Database


def data_dir_of(db: Database) -> Path | None:
    """The data dir of the database file behind `db` (None for an in-memory one)."""
    for _seq, name, file in db.conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file).parent
    return None


def _unlocked_dir(db: Database) -> Path | None:
    where = data_dir_of(db)
    if where is None or not crypto.is_encrypted(where) or not crypto.is_unlocked(where):
        return None
    return where


def set_password(db: Database, username: str, password: str) -> None:
    """Wrap the data key under this account's (new) password, replacing its old wrap."""
    where = _unlocked_dir(db)
    if where is not None:
        crypto.rewrap_user(where, username, password)


def remove(db: Database, username: str) -> None:
    """The account's password no longer opens the data (a disabled account)."""
    where = _unlocked_dir(db)
    if where is not None:
        crypto.rewrap_user(where, username, None)


def proven(db: Database, username: str, password: str) -> bool:
    """This password unlocked the encrypted data dir in this process: it is the account's (see crypto.proven)."""
    where = _unlocked_dir(db)
    return where is not None and crypto.proven(where, username, password)


def ensure(db: Database, username: str, password: str) -> None:
    """After a good login: give an account that has no wrap of its own yet (none, or the pending one made
    from its login hash at key setup) an ordinary one."""
    where = _unlocked_dir(db)
    if where is not None and crypto.KeyFile.load(where).needs_wrap(username):
        crypto.rewrap_user(where, username, password)


def recover(db: Database, username: str, new: str, *, at: dt.datetime) -> str:
    """A forgotten password replaced after unlocking with the recovery paper: the account's new password and
    wrap, its lockout cleared, audited. Returns the normalised username."""
    from desktop.accounts import passwords  # argon2 loads only when a password is set
    name = username.strip().lower()
    if db.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone() is None:
        raise DeskError("没有这个用户名的账号", field="username")
    passwords.check_rule(name, new)
    with db.atomic():
        db.execute("UPDATE users SET password_hash = ?, must_change = 0, failed_count = 0, locked_until = NULL"
                   " WHERE username = ?", [passwords.default_hasher().hash(new), name])
        set_password(db, name, new)
        audit.append(db, name, "key.recover", detail={"user": name}, at=at)
    return name
