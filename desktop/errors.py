"""Known errors: bad input or a hostile environment, each with a Chinese message fit for a clerk."""

from __future__ import annotations


class DeskError(Exception):
    """A known error. `message` is Chinese, names the field or file, and never holds personal data."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(DeskError):
    """Input that breaks a rule of the catalog or the case; `field` names the offending field."""


class StoreError(DeskError):
    """The data dir or database cannot be used (unwritable, damaged, locked by another instance)."""
