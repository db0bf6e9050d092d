"""The hub's known refusal: answered as its JSON envelope with a status, a code and a Chinese message.

Its own module, below everything else in hub/, so the group writer (a 503 when too many writes wait) and the
routers can raise it without importing the request authentication that uses them."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """Any refusal the API answers with an envelope: status, code, Chinese message, extra fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra
