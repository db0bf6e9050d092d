"""The hub's HTTP API (FastAPI). Every answer, errors included, is the hub's JSON envelope (docs/sync.md)."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from desktop.protocol import schema as syncschema
from hub import (
    audit,
    bundle,
    bundleroute,
    caseputs,
    cases as cases_mod,
    catalogs,
    db,
    devices,
    ledger,
    ledgerrows,
    limits,
    logs,
    public,
    ratings,
    tokens,
)
from hub.auth import Dev, Device, HubError, device_of, fail, log_fields, ok, throttle
from hub.blobstore import BlobError, BlobStore
from hub.config import HubConfig
from hub.writer import GroupWriter


class EnrollBody(BaseModel):
    """POST /v1/enroll: the one-time code printed by `python -m hub device add`."""

    model_config = ConfigDict(strict=True, extra="forbid")
    code: str = Field(max_length=40)
    instance: str | None = Field(default=None, max_length=64)  # the desk's identity (hub/devices.py)


class CasePut(BaseModel):
    """PUT /v1/cases/{uuid}: one revision of a case, the revision it was based on, its blob hashes."""

    model_config = ConfigDict(strict=True, extra="forbid")
    revision: int
    base_revision: int
    payload: dict[str, Any]
    blobs: list[str] = []




def create_app(config: HubConfig) -> bundleroute.HubApp:
    """The API over the database and blob store named by `config`.

    Reads are small indexed queries run inline in the event loop (a hop to a worker thread costs more on a
    busy machine); writes go through the group writer's thread, and file work through worker threads."""
    engine = db.open_engine(config.db_url)
    stamp = tokens.watch(engine, config.data_dir)  # device changes through this engine or the CLI's (hub/tokens.py)
    writer = GroupWriter(engine, config.max_waiting)
    blobs = BlobStore(config.blob_dir, engine, writer, config.max_blob_bytes)
    hub_id = db.hub_id(engine)
    backfilled = ledgerrows.backfill(engine)  # before serving: every case has its ledger row (hub/ledgerrows.py)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        logs.event("hub_started", hub_id=hub_id, backend=engine.dialect.name, pruned_partials=blobs.prune(),
                   pruned_changes=cases_mod.prune_changes(engine), ledger_rows_backfilled=backfilled)
        yield
        writer.close()
        engine.dispose()

    app = bundleroute.HubApp(title="一件事帮代办 县级汇聚服务器", version=str(syncschema.API_VERSION), lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # the docs page pulls scripts from a CDN; the JSON is enough
    app.state.engine, app.state.blobs, app.state.config, app.state.writer = engine, blobs, config, writer
    app.state.limits, app.state.tokens = limits.Limits(), tokens.TokenCache(stamp)
    _handlers(app)
    app.add_middleware(limits.BodyLimit)  # inside AccessLog, so a 413 is logged too
    app.add_middleware(AccessLog)
    _public_routes(app, engine, hub_id, config)
    _catalog_routes(app, engine)
    _blob_routes(app, blobs)
    _case_routes(app, engine, blobs, writer, config)
    app.include_router(ledger.router)  # GET /v1/ledger: the supervisor's hub-wide ledger (hub/ledger.py)
    app.include_router(audit.router)  # PUT /v1/audit: the devices' audit trails (hub/audit.py)
    app.include_router(ratings.router)  # GET /v1/ratings: the office's 好差评 totals (hub/ratings.py)
    app.include_router(public.router)  # /p/{code}: the citizen's progress and rating pages (hub/public.py)
    return app


def _public_routes(app: FastAPI, engine, hub_id: str, config: HubConfig) -> None:
    """Hello and enrollment: the only routes without a device token."""

    @app.get("/v1/hello")
    async def hello() -> JSONResponse:
        """Public: is this the hub? (the desk checks before enrolling)"""
        return ok(hub_id=hub_id, time=db.utcnow())

    @app.post("/v1/enroll")
    def enroll(body: EnrollBody, request: Request) -> JSONResponse:
        window, where = request.app.state.limits.enroll, limits.address(request.scope)
        throttle(window, where)  # codes are short: guessing them is refused long before it could work
        try:
            dev, token = devices.enroll(engine, body.code, body.instance)
        except devices.DeviceError as exc:
            window.failed(where)
            raise HubError(403, "bad_code", str(exc)) from None
        logs.event("device_enrolled", device=dev.name)
        # the county's catalog key, pinned by the desk: it accepts only catalogs signed with it (hub/catalogs.py)
        return ok(token=token, device=dev.name, office=dev.office, hub_id=hub_id,
                  catalog_key=catalogs.public_key(config.data_dir))

    @app.get("/v1/devices/summary")
    def summary(dev: Dev) -> JSONResponse:  # a plain def: FastAPI runs it off the event loop
        """For supervisors: every device of this office, what it sent and the queue it last reported."""
        return ok(office=dev.office, devices=devices.summary(engine, dev.office))


def _catalog_routes(app: FastAPI, engine) -> None:
    """Published catalogs: the signed manifests on every sync, a file only when a desk has not got it."""

    @app.get("/v1/catalogs")
    def catalog_list(dev: Dev) -> JSONResponse:
        return ok(catalogs=catalogs.listing(engine))

    @app.get("/v1/catalogs/{digest}")
    def catalog_file(digest: str, dev: Dev) -> Response:
        content = catalogs.content(engine, _sha(digest))
        if content is None:
            raise HubError(404, "not_found", "服务器上没有这个目录版本")
        return Response(content, media_type="application/vnd.sqlite3")


def _blob_routes(app: FastAPI, blobs: BlobStore) -> None:
    """Scans by sha256: how much the hub holds, and resumable uploads."""

    @app.get("/v1/blobs/{sha256}")
    async def blob_status(sha256: str, dev: Dev) -> JSONResponse:
        progress = blobs.progress(dev.office, _sha(sha256))
        return ok(sha256=sha256, held=progress.held, offset=progress.offset)

    @app.put("/v1/blobs/{sha256}")
    async def blob_put(sha256: str, request: Request, dev: Dev, total: Annotated[int, Query(ge=0, le=syncschema.MAX_ID)],
                       offset: Annotated[int, Query(ge=0, le=syncschema.MAX_ID)] = 0) -> JSONResponse:
        progress = await blobs.receive(dev.office, dev.id, _sha(sha256), offset, total, request.stream())
        return ok(sha256=sha256, held=progress.held, offset=progress.offset)


def _case_routes(app: bundleroute.HubApp, engine, blobs: BlobStore, writer: GroupWriter, config: HubConfig) -> None:
    """Cases (plain and bundled with their small scans), one case back, and the change feed."""

    async def store_case(request: Request, dev: Device, case_uuid: str, data: dict[str, Any],
                         parts: bundle.Parts) -> JSONResponse:
        """The (checked) case in the next group transaction, after the scans that came with it."""
        try:
            fields = _answer(writer, dev, case_uuid,
                             (await writer.run_many([_job(blobs, dev, case_uuid, data, parts)]))[0])
        except cases_mod.CaseError as exc:
            log_fields(request, case=case_uuid, revision=data["revision"], refused=exc.code)
            raise
        log_fields(request, case=case_uuid, revision=data["revision"], replayed=fields["replayed"],
                   blobs=len(fields["blobs"]) + len(fields["blobs_missing"]), blobs_held=len(fields["blobs"]),
                   bundled=len(parts))
        return ok(**fields)

    @app.put("/v1/cases/bundles", openapi_extra=bundle.OPENAPI_MANY)
    async def case_bundles(request: Request) -> JSONResponse:
        """Several cases with their small scans in one request (docs/sync.md): each case checked, queued and
        answered exactly as `PUT /v1/cases/{uuid}/bundle` alone would be, all in the writer's next group; one
        `results` entry per case, in order. Only a malformed body, the device's token or the body's size refuse
        the whole request."""
        return await _many(request, writer, blobs)

    @app.put("/v1/cases/{case_uuid}")
    async def case_put(case_uuid: str, body: CasePut, request: Request, dev: Dev) -> JSONResponse:
        data = body.model_dump()
        _check(writer, dev, case_uuid, data)
        return await store_case(request, dev, case_uuid, data, [])

    @app.put("/v1/cases/{case_uuid}/bundle", openapi_extra=bundle.OPENAPI)
    async def case_bundle(case_uuid: str, request: Request) -> JSONResponse:
        """A case with some of its scans in one request (docs/sync.md): scans verified and stored first.
        The device is found without FastAPI's dependency machinery (the sync's busiest route; same checks)."""
        dev = await device_of(request)
        data, parts = bundle.split(await bundle.read(request.stream()))
        _check(writer, dev, case_uuid, data)  # the shared schema checks the body as CasePut would, and more
        bundle.check_parts(data, parts)
        return await store_case(request, dev, case_uuid, data, parts)

    # the same endpoints, taken before FastAPI's stack (hub/bundleroute.py), with the same log and body limit
    app.fast = AccessLog(limits.BodyLimit(bundleroute.asgi(case_bundle)))
    app.fast_many = AccessLog(limits.BodyLimit(bundleroute.asgi_many(case_bundles)))

    @app.get("/v1/cases/{case_uuid}")
    async def case_get(case_uuid: str, dev: Dev) -> JSONResponse:
        return ok(case=cases_mod.get_case(engine, dev, case_uuid))

    @app.get("/v1/changes")
    async def changes(dev: Dev, since: Annotated[int, Query(ge=0, le=syncschema.MAX_ID)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> JSONResponse:
        entries, more = cases_mod.changes_since(engine, dev, since, min(limit, config.changes_page))
        return ok(changes=entries, cursor=entries[-1]["id"] if entries else since, more=more)


def _check(writer: GroupWriter, dev: Device, case_uuid: str, data: dict[str, Any]) -> None:
    """The case's body checked by the shared schema; a refusal is kept for the supervisor (hub/cases.py
    refusal_job), whichever route brought the case, before it is raised."""
    try:
        cases_mod.check(case_uuid, data)
    except cases_mod.CaseError as exc:
        writer.enqueue(cases_mod.refusal_job(dev, case_uuid, exc))
        raise


def _job(blobs: BlobStore, dev: Device, case_uuid: str, data: dict[str, Any],
         parts: bundle.Parts) -> caseputs.PutJob:
    """A checked case for the group writer, after the scans that came with it (verified and stored by the
    writer's thread first, hub/caseputs.py PutJob.prepare), with their owner rows."""
    return caseputs.PutJob(blobs, caseputs.Put(dev, case_uuid, data), parts)


def _answer(writer: GroupWriter, dev: Device, case_uuid: str,
            outcome: tuple[Any, BaseException | None]) -> dict[str, Any]:
    """A stored case's answer fields from the group writer's outcome; a refusal raised (a case refusal kept
    for the supervisor, hub/cases.py refusal_job)."""
    done, error = outcome
    if isinstance(error, cases_mod.CaseError) and error.status != 503:
        writer.enqueue(cases_mod.refusal_job(dev, case_uuid, error))
    if error is not None:
        raise error
    result, held = done
    return {"uuid": case_uuid, "replayed": result.replayed, "revision": result.revision, "blobs": held,
            "blobs_missing": [b for b in result.blobs if b not in held]}


async def _many(request: Request, writer: GroupWriter, blobs: BlobStore) -> JSONResponse:
    """`PUT /v1/cases/bundles`: one `results` entry per case, in order (docs/sync.md, Bundles)."""
    dev = await device_of(request)
    listed = bundle.split_many(await bundle.read(request.stream()))
    results: list[dict[str, Any] | None] = [None] * len(listed)
    jobs, queued = [], []
    for i, (case_uuid, data, parts) in enumerate(listed):
        try:
            _check(writer, dev, case_uuid, data)
            bundle.check_parts(data, parts)
        except bundleroute.KNOWN as exc:
            results[i] = _refused(case_uuid, exc)
            continue
        jobs.append(_job(blobs, dev, case_uuid, data, parts))
        queued.append(i)
    for i, outcome in zip(queued, await writer.run_many(jobs) if jobs else [], strict=True):
        case_uuid = listed[i][0]
        try:
            results[i] = {"status": 200, "ok": True} | _answer(writer, dev, case_uuid, outcome)
        except bundleroute.KNOWN as exc:
            results[i] = _refused(case_uuid, exc)
    log_fields(request, cases=len(listed), refused=sum(not r["ok"] for r in results if r),
               bundled=sum(len(parts) for _, _, parts in listed))
    return ok(results=results)


def _refused(case_uuid: str, exc: Any) -> dict[str, Any]:
    """One case's refusal in a several-case answer: what its own request's error envelope would say."""
    extra = dict(exc.extra)
    if exc.status in (429, 503):
        extra["retry_after"] = extra.get("retry_after") or 30
    return {"uuid": case_uuid, "status": exc.status, "ok": False,
            "error": {"code": exc.code, "message": exc.message}, **extra}


def _sha(text: str) -> str:
    if not syncschema.is_sha256(text):
        raise HubError(422, "bad_hash", "地址中的sha256格式不对（应为64位小写十六进制）")
    return text


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    @app.exception_handler(cases_mod.CaseError)
    @app.exception_handler(BlobError)
    async def _known(_request: Request, exc: Any) -> JSONResponse:
        return fail(exc.status, exc.code, exc.message, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = [f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}：格式不对（{e['type']}）"
                   for e in exc.errors()]
        return fail(422, "invalid", "请求格式不对", reasons=reasons[:20])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 413:  # a streamed body past its endpoint's ceiling (hub/limits.py)
            return fail(413, "too_large", str(exc.detail))
        return fail(exc.status_code, "http", "没有这个接口" if exc.status_code == 404 else "请求不被接受")


class AccessLog:
    """ASGI middleware: one structured line per request (method, path, status, ms, device), no bodies.

    It also turns a bug into a 500 envelope, logging only the exception's type: a traceback could quote
    a payload value, and personal data never goes to a log.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), {"code": 0}

        async def _send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:  # a bug: answer, log its type, never its text
            logs.event("internal_error", 40, error=type(exc).__name__, path=_path(scope["path"]))
            if not status["code"]:
                await fail(500, "internal", "服务器内部错误，已记录")(scope, receive, _send)
        finally:
            state = scope.get("state", {})
            logs.event("request", method=scope["method"], path=_path(scope["path"]), status=status["code"],
                       ms=round((time.perf_counter() - start) * 1000, 1), device=state.get("device"),
                       **state.get("log", {}))


def _path(path: str) -> str:
    """The path as logged: a citizen's page without its code (the code opens the case's page)."""
    return "/p/…" + ("/rate" if path.endswith("/rate") else "") if path.startswith("/p/") else path
