"""The hub's settings: where its data lives and which database it uses, each overridable by environment."""

from __future__ import annotations

import ntpath
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "HUB_DATA_DIR"
ENV_DB_URL = "HUB_DB_URL"
ENV_MAX_WAITING = "HUB_MAX_WAITING"
APP_NAME = "yijianshi-hub"


@dataclass(frozen=True)
class HubConfig:
    """Data dir (blobs, logs, the SQLite file) and database URL; limits a county may tune."""

    data_dir: Path
    db_url: str
    code_ttl_hours: int = 72
    max_blob_bytes: int = 200 * 1024 * 1024
    changes_page: int = 500
    max_waiting: int | None = None  # queued writes past which the hub answers 503; None: hub/writer.py's 2048

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


def resolve(data_dir: str | None = None, db_url: str | None = None) -> HubConfig:
    """--data-dir wins, then HUB_DATA_DIR, then default_data_dir(); --db wins, then HUB_DB_URL, then SQLite in
    the dir. HUB_MAX_WAITING: the write queue's length past which the hub sheds load (503, Retry-After)."""
    base = Path(data_dir or os.environ.get(ENV_DATA_DIR) or default_data_dir()).expanduser().resolve()
    url = db_url or os.environ.get(ENV_DB_URL) or f"sqlite:///{base / 'hub.sqlite'}"
    waiting = os.environ.get(ENV_MAX_WAITING, "")
    return HubConfig(data_dir=base, db_url=normalize_url(url), **({"max_waiting": int(waiting)} if waiting.isdigit()
                                                                   else {}))


def default_data_dir() -> Path:
    """Never relative to the working directory: a hub started by Task Scheduler or as a service runs in
    C:\\Windows\\System32. On Windows the machine-wide %PROGRAMDATA%\\yijianshi-hub (a service account has no
    profile of its own to speak of); elsewhere the user's data dir."""
    if os.name == "nt":
        return Path(windows_data_dir(os.environ))
    import platformdirs  # only when no data dir was given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def windows_data_dir(environ: Mapping[str, str]) -> str:
    return ntpath.join(environ.get("PROGRAMDATA") or r"C:\ProgramData", APP_NAME)


def normalize_url(url: str) -> str:
    """postgresql:// and postgres:// mean psycopg 3 (the driver we ship), not SQLAlchemy's default psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def redact_url(url: str) -> str:
    """The URL with any password hidden, for logs and messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
