"""The names of a data dir's own files, for code that must know them before it may import what uses them: the
desk decides between its login windows (encrypted or not, a new device or not) before the store and the crypto
are imported, so that the login window paints as soon as a bare window would (issue 16)."""

from __future__ import annotations

from pathlib import Path

DB_NAME = "desk.sqlite"
KEYS_NAME = "keys.json"
NEW_DB_NAME = DB_NAME + ".new"  # an encryption's converted copy until its commit point (storage/encrypt.py)


def is_encrypted(data_dir: Path) -> bool:
    return (Path(data_dir) / KEYS_NAME).is_file()


def has_database(data_dir: Path) -> bool:
    return (Path(data_dir) / DB_NAME).is_file()
