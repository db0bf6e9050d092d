"""Setting up the data key of a data dir: at its first administrator (the CLI's `user add`, the desk's first
run) or for a plain data dir later (`key setup`, the desk's offer at an administrator's login).

The conversion itself is storage/encrypt.py; here the recovery paper is made and the setup audited, the same
for every caller. Accounts that existed before (no wrap of their own) open the data with their own password
through a pending wrap made from their login hash, and get an ordinary wrap at their next login
(storage/crypto.py `wrap_pending`, accounts/keywrap.py `ensure`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.storage import audit, crypto, encrypt, settings
from desktop.storage.db import Database, open_db


def wanted(data_dir: Path) -> bool:
    """Should this data dir be encrypted now? Yes unless it already is, or tests/development keep it plain."""
    return not crypto.is_encrypted(data_dir) and not crypto.plain_allowed()


def place(db: Database) -> str:
    """The device as the paper names it: office and window code."""
    values = settings.get_all(db)
    return " ".join(str(values.get(k) or "") for k in ("office", "window_code")).strip() or "本机"


def encrypt_dir(data_dir: Path, username: str, display_name: str, password: str, *,
                now: dt.datetime | None = None, progress=None) -> bytes:
    """Encrypt the data dir in place (no connection may be open on it), audit `key.setup`; returns the recovery
    paper as PDF bytes, which the caller writes or prints once and then records with `paper_made`."""
    from desktop.forms import recovery  # reportlab: loaded when a paper is made, not at every admin's login

    now = now or dt.datetime.now().astimezone()
    db = open_db(data_dir)
    try:
        device = place(db)
    finally:
        db.close()
    code = encrypt.convert(data_dir, username, password, progress)
    pdf = recovery.render(code, device=device, made_at=now.strftime("%Y-%m-%d %H:%M"), by=display_name)
    db = open_db(data_dir)
    try:
        audit.append(db, username, "key.setup", at=now)
    finally:
        db.close()
    return pdf


def paper_made(db: Database, username: str, how: str) -> None:
    """Record that the recovery paper was written or printed (`how`: a file name, or 打印)."""
    audit.append(db, username, "key.recovery_print", detail={"file": how}, at=dt.datetime.now().astimezone())
