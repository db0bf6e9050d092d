"""The bundle upload as a plain ASGI app in front of FastAPI's stack: the sync's busiest request.

At 2,000 small cases, FastAPI's middleware stack, routing and request handling cost the event loop more than
the bundle's own work (docs/sync.md, "Small cases"). `HubApp` sends `PUT /v1/cases/{uuid}/bundle` straight to
the route's endpoint wrapped only in what that route needs: the access log (which also answers a bug with the
500 envelope) and the body limit, as every other route has them, and the envelope for a known refusal, as the
app's exception handlers answer it. Every other request goes through FastAPI as before; the route is still
declared to FastAPI (its OpenAPI entry, and the same endpoint if the fast path is ever off).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.auth import fail
from hub.blobstore import BlobError
from hub.cases import CaseError
from hub.errors import HubError

PATH = re.compile(r"/v1/cases/([^/]+)/bundle")
PATH_MANY = "/v1/cases/bundles"
KNOWN = (HubError, CaseError, BlobError)
Endpoint = Callable[[str, Request], Awaitable[Response]]


class HubApp(FastAPI):
    """FastAPI, with the bundle uploads taken by `fast` (one case) and `fast_many` (several; ASGI apps) when set."""

    fast: Any = None
    fast_many: Any = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "PUT" and not scope.get("root_path"):
            path = scope["path"]
            fast = (self.fast_many if path == PATH_MANY else self.fast if PATH.fullmatch(path) else None)
            if fast is not None:
                scope["app"] = self  # as Starlette sets it: the endpoint reads app.state through the request
                return await fast(scope, receive, send)
        return await super().__call__(scope, receive, send)


def asgi(endpoint: Endpoint):
    """`endpoint(case_uuid, request)` as an ASGI app; a known refusal answered with its envelope (as
    hub/app.py's handlers do), anything else left to the access log around it (the 500 envelope)."""

    def call(scope, receive) -> Awaitable[Response]:
        match = PATH.fullmatch(scope["path"])
        assert match is not None  # HubApp sends only this path here
        return endpoint(match.group(1), Request(scope, receive))

    return _answering(call)


def asgi_many(endpoint: Callable[[Request], Awaitable[Response]]):
    """`endpoint(request)` (several cases in one request) as an ASGI app, answering as `asgi` does."""
    return _answering(lambda scope, receive: endpoint(Request(scope, receive)))


def _answering(call: Callable[[Any, Any], Awaitable[Response]]):
    async def app(scope, receive, send) -> None:
        try:
            response = await call(scope, receive)
        except KNOWN as exc:
            response = fail(exc.status, exc.code, exc.message, **exc.extra)
        except StarletteHTTPException as exc:  # a streamed body past the ceiling (hub/limits.py BodyLimit)
            if exc.status_code != 413:
                raise
            response = fail(413, "too_large", str(exc.detail))
        await response(scope, receive, send)

    return app
