"""The hub's settings: where its data lives and which database it uses, each overridable by environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "HUB_DATA_DIR"
ENV_DB_URL = "HUB_DB_URL"
DEFAULT_DATA_DIR = "hub-data"


@dataclass(frozen=True)
class HubConfig:
    """Data dir (blobs, logs, the SQLite file) and database URL; limits a county may tune."""

    data_dir: Path
    db_url: str
    code_ttl_hours: int = 72
    max_blob_bytes: int = 200 * 1024 * 1024
    changes_page: int = 500

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


def resolve(data_dir: str | None = None, db_url: str | None = None) -> HubConfig:
    """--data-dir wins, then HUB_DATA_DIR, then ./hub-data; --db wins, then HUB_DB_URL, then SQLite in the dir."""
    base = Path(data_dir or os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR).expanduser().resolve()
    url = db_url or os.environ.get(ENV_DB_URL) or f"sqlite:///{base / 'hub.sqlite'}"
    return HubConfig(data_dir=base, db_url=normalize_url(url))


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
