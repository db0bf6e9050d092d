"""Limits applied before a request reaches its route: body sizes (413) and failed-credential rates (429);
also the citizen's pages' allowances (page views and unknown codes per address, hub/public.py).

Body size: each endpoint has a ceiling. A declared Content-Length over it is refused before a byte of the
body is read; a chunked body is counted while it streams and refused at the first chunk past the ceiling.
FastAPI reads a JSON body before it checks the device token, so this must happen here, outside the app.
Unauthenticated endpoints (hello, enroll) take only tiny bodies.

Rates: failed enrollment codes, unknown or revoked tokens and wrong supervisor credentials are counted per
client address and per device (hub/auth.py, hub/supervisors.py); past the allowance the answer is 429 with
Retry-After until the window has passed. Counts live in this process's memory (one hub process per county;
behind a reverse proxy, set its own limits too: docs/sync.md, "Limits").
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque

from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from desktop.protocol import schema as syncschema
from hub.blobstore import MAX_REQUEST_BYTES
from hub.bundle import MAX_HEADER

KB, MB = 1024, 1024 * 1024
TINY = 2 * KB
LIMITS = (  # (method, path pattern, ceiling in bytes); anything else: TINY
    ("PUT", re.compile(r"/v1/blobs/[^/]+"), MAX_REQUEST_BYTES),
    ("PUT", re.compile(r"/v1/cases/[^/]+/bundle"), MAX_REQUEST_BYTES + MAX_HEADER),
    ("PUT", re.compile(r"/v1/cases/bundles"), MAX_REQUEST_BYTES + MAX_HEADER),  # ≤ bundle.MAX_CASES cases, same ceiling
    ("PUT", re.compile(r"/v1/cases/[^/]+"), 4 * MB),  # one case's JSON: answers, materials, ≤ 500 blob hashes
    ("PUT", re.compile(r"/v1/audit"), 8 * MB),  # ≤ 1000 entries of ≤ 4000 characters of detail
    ("POST", re.compile(r"/p/[^/]+/rate"), 16 * KB),  # the citizen's rating form: a level, reasons, 200 characters
)
TOO_LARGE = "请求过大（本接口上限 {limit}），已拒收"


def ceiling(method: str, path: str) -> int:
    """The largest body `method path` may carry."""
    return next((limit for m, pattern, limit in LIMITS if m == method and pattern.fullmatch(path)), TINY)


def _words(limit: int) -> str:
    return f"{limit // MB} MB" if limit >= MB else f"{limit // KB} KB"


class BodyLimit:
    """ASGI middleware: 413 for a body over its endpoint's ceiling, declared or streamed."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = ceiling(scope["method"], scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await self._refuse(limit, scope, receive, send)
        counted = 0

        async def counting():
            nonlocal counted
            message = await receive()
            if message["type"] == "http.request":
                counted += len(message.get("body", b""))
                if counted > limit:  # FastAPI lets an HTTPException out of its body reading unchanged
                    raise StarletteHTTPException(413, TOO_LARGE.format(limit=_words(limit)))
            return message

        return await self.app(scope, counting, send)

    @staticmethod
    async def _refuse(limit: int, scope, receive, send):
        error = {"code": "too_large", "message": TOO_LARGE.format(limit=_words(limit))}
        await JSONResponse(syncschema.envelope(False, error=error), status_code=413)(scope, receive, send)


class Window:
    """Failures per key (an address, a device) in a sliding window: `allowed` failures per `seconds`."""

    def __init__(self, allowed: int, seconds: float):
        self.allowed, self.seconds = allowed, seconds
        self.seen: dict[str, deque[float]] = {}
        self.lock = threading.Lock()  # routes run in the event loop and in worker threads

    def retry_after(self, *keys: str) -> int:
        """Seconds until another attempt is allowed for every key (0: go ahead)."""
        now = time.monotonic()
        with self.lock:
            waits = [self._wait(key, now) for key in keys if key]
        return max(waits, default=0)

    def _wait(self, key: str, now: float) -> int:
        times = self.seen.get(key)
        while times and now - times[0] >= self.seconds:
            times.popleft()
        if not times:
            self.seen.pop(key, None)
            return 0
        return 0 if len(times) < self.allowed else int(self.seconds - (now - times[0])) + 1

    def take(self, key: str) -> int:
        """Count an attempt for `key` if it is allowed (0), else the seconds to wait, with nothing counted: the
        check and the count in one step, so routes in worker threads cannot slip past the allowance together."""
        now = time.monotonic()
        with self.lock:
            if wait := self._wait(key, now):
                return wait
            self._count((key,), now)
        return 0

    def failed(self, *keys: str) -> None:
        with self.lock:
            self._count(keys, time.monotonic())

    def _count(self, keys: tuple[str, ...], now: float) -> None:
        if len(self.seen) > 100_000:  # a flood of addresses must not grow memory without bound
            self.seen.clear()
        for key in keys:
            if key:
                self.seen.setdefault(key, deque()).append(now)


class Limits:
    """This hub process's failure windows: enrollment codes, device tokens, supervisor credentials."""

    def __init__(self):
        self.enroll = Window(5, 900)  # 5 wrong codes per quarter hour per address
        self.tokens = Window(20, 60)  # 20 unknown or revoked tokens a minute per address or device
        self.supervisors = Window(5, 900)  # 5 wrong supervisor credentials per quarter hour per address or device
        self.pages = Window(60, 60)  # the citizen's pages (hub/public.py): 60 views a minute per address
        self.codes = Window(10, 600)  # unknown codes on those pages: 10 per 10 minutes per address


def address(scope) -> str:
    """The client's address (behind a reverse proxy on this host, uvicorn takes it from X-Forwarded-For)."""
    client = scope.get("client")
    return f"addr:{client[0]}" if client else ""
