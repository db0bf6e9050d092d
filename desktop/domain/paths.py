"""Where things live: the per-user data dir, and the bundled resources and catalog (also when frozen)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "yijianshi-desk"
ENV_DATA_DIR = "DESK_DATA_DIR"


def app_root() -> Path:
    """The folder holding resources/ and data/: the checkout, or PyInstaller's bundle dir when frozen."""
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    return app_root() / "resources"


def catalog_source_dir() -> Path:
    return resources_dir() / "catalog"


def catalog_db_path() -> Path:
    return app_root() / "data" / "catalog.sqlite"


ENV_COUNTY_DIR = "DESK_COUNTY_DIR"


def county_dir() -> Path:
    """The county's own files (calendar.toml, …), outside the install folder that an upgrade replaces:
    DESK_COUNTY_DIR, else the machine-wide %PROGRAMDATA%\\yijianshi-desk\\county on Windows (every clerk of the
    PC), else the user's config dir."""
    if env := os.environ.get(ENV_COUNTY_DIR):
        return Path(env).expanduser()
    if os.name == "nt":
        return Path(os.environ.get("PROGRAMDATA") or r"C:\ProgramData") / APP_NAME / "county"
    import platformdirs  # only when asked

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "county"


def cache_dir() -> Path:
    """What the desk can make again from its own files (the fonts' character tables, desktop/forms/fonts.py):
    DESK_CACHE_DIR, else the platform's per-user cache (%LOCALAPPDATA%\\yijianshi-desk\\Cache on Windows)."""
    if env := os.environ.get("DESK_CACHE_DIR"):
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_data_dir() -> Path:
    """%LOCALAPPDATA%\\yijianshi-desk on Windows (not Documents: ransomware guards, cloud sync)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir wins, then DESK_DATA_DIR, then the platform's per-user place."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    return Path(env).expanduser() if env else default_data_dir()
