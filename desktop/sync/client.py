"""The desk's HTTP client of the hub (httpx, synchronous): requests, and every failure named in plain Chinese.

Only the hub's own JSON envelope counts as an answer: a captive portal's 200 page, a proxy's error page or a
cut connection are failures (HubFailureError), never success. Each failure has a kind the sync core acts on:
'auth' stops and asks for re-enrollment; everything else is retried later with backoff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from desktop.protocol import schema as syncschema

SMALL_BLOB = 8 * 1024 * 1024  # sent in one request; larger files go in chunks of this size, resumable
MIN_CHUNK = 256 * 1024  # behind a proxy that refuses big bodies (413), chunks shrink down to this
PROXY_TOO_LARGE = "proxy_too_large"  # the code given to a 413 page that is not the hub's envelope
CATALOG_TYPE = "application/vnd.sqlite3"  # a published catalog's file (hub/app.py)
REAUTH = "需要重新登记设备：本机的登记已失效或被撤销，请向管理员索取新的登记码后重新连接服务器"


class HubFailureError(Exception):
    """The hub could not be reached or did not answer as the hub: kind, Chinese message, Retry-After."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind, self.message, self.retry_after = kind, message, retry_after


class BlobRefusedError(Exception):
    """The hub refused a file's bytes (hash mismatch, too large): a local problem, not a network one."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Answer:
    """An envelope from the hub with its HTTP status (2xx, or a refusal the caller handles: 404/409/413/422)."""

    status: int
    data: dict[str, Any]

    @property
    def code(self) -> str:
        return (self.data.get("error") or {}).get("code", "")

    @property
    def message(self) -> str:
        return (self.data.get("error") or {}).get("message", "")


class HubClient:
    """One hub at `url`, as the enrolled device holding `token` (None before enrollment)."""

    def __init__(self, url: str, token: str | None = None, *, timeout: float = 30.0, connect_timeout: float = 5.0,
                 pending: int | None = None, transport: httpx.BaseTransport | None = None,
                 report: dict[str, Any] | None = None, verify: Any = True):
        headers = {"User-Agent": f"yijianshi-desk/{syncschema.API_VERSION}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if pending is not None:
            headers["X-Desk-Pending"] = str(pending)
        for name, value in (report or {}).items():  # conflicted and quarantined cases, this desk's identity
            headers[f"X-Desk-{name.capitalize()}"] = str(value)
        self.url, self.chunk = url.rstrip("/"), SMALL_BLOB
        # trust_env=False: no proxy from the environment (a county LAN talks to its hub directly). The client
        # is shared by the few sending threads (httpx's pool is thread-safe).
        self.http = httpx.Client(base_url=self.url, headers=headers, transport=transport, trust_env=False, verify=verify,
                                 timeout=httpx.Timeout(timeout, connect=connect_timeout), follow_redirects=False,
                                 limits=httpx.Limits(max_connections=32, max_keepalive_connections=32))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # endpoints

    def hello(self) -> dict[str, Any]:
        return self._request("GET", "/v1/hello").data

    def enroll(self, code: str, instance: str) -> Answer:
        """`instance`: this desk's identity; the same code from the same desk soon after gets the same token."""
        return self._request("POST", "/v1/enroll", json={"code": code, "instance": instance}, refusals=(403, 422))

    def put_case(self, uuid: str, body: dict[str, Any]) -> Answer:
        return self._request("PUT", f"/v1/cases/{uuid}", json=body, refusals=(404, 409, 413, 422))

    def put_bundle(self, uuid: str, body: dict[str, Any], parts: list[tuple[str, Path]]) -> Answer:
        """The case with these scans in one request (hub/bundle.py); the caller keeps it under SMALL_BLOB."""
        listed, contents = _parts(parts)
        data = _framed(body | {"parts": listed}, contents)
        return self._request("PUT", f"/v1/cases/{uuid}/bundle", content=data, refusals=(404, 409, 413, 422),
                             headers={"Content-Type": "application/octet-stream"})

    def put_bundles(self, items: list[tuple[str, dict[str, Any], list[tuple[str, Path]]]]
                    ) -> list[Answer | HubFailureError] | Answer:
        """Several cases, each with these scans, in one request (`PUT /v1/cases/bundles`, hub/bundle.py): per case,
        in order, the Answer its own put_bundle would have given (or the HubFailureError of a 5xx/429 the hub
        gave that case). A refusal of the whole request (404 or 422 from a hub without the endpoint, a proxy's
        413) comes back as that one Answer, for the caller to send the cases one by one. The caller keeps the
        request under the bundle's ceiling."""
        cases, contents = [], []
        for uuid, body, parts in items:
            listed, files = _parts(parts)
            cases.append({"uuid": uuid} | body | {"parts": listed})
            contents += files
        data = _framed({"cases": cases}, contents)
        answer = self._request("PUT", "/v1/cases/bundles", content=data, refusals=(404, 409, 413, 422),
                               headers={"Content-Type": "application/octet-stream"})
        if answer.status != 200:
            return answer
        results = answer.data.get("results")
        if not isinstance(results, list) or len(results) != len(items) or any(
                not isinstance(r, dict) or r.get("uuid") != uuid for r, (uuid, _, _) in zip(results, items, strict=True)):
            raise HubFailureError("server", "服务器对打包上传的回答不完整，稍后自动重试")
        return [_one_of_many(result) for result in results]

    def get_case(self, uuid: str) -> Answer:
        return self._request("GET", f"/v1/cases/{uuid}", refusals=(404,))

    def put_audit(self, entries: list[dict[str, Any]], head: dict[str, Any] | None = None) -> Answer:
        """Audit entries in chain order and the desk's newest entry (hub/audit.py); 409 names the first the hub
        cannot append, or the first it holds that the desk no longer has."""
        body = {"entries": entries} | ({"head": head} if head is not None else {})
        return self._request("PUT", "/v1/audit", json=body, refusals=(404, 409, 413, 422))

    def catalogs(self) -> list[Any]:
        """The signed manifests of every published catalog (desktop/sync/catalogs.py)."""
        listed = self._request("GET", "/v1/catalogs").data.get("catalogs")
        if not isinstance(listed, list):
            raise HubFailureError("server", "服务器的目录列表格式不对，稍后重试")
        return listed

    def catalog_file(self, digest: str) -> bytes:
        """A published catalog's file; the caller checks it against the signed manifest."""
        response = self._send("GET", f"/v1/catalogs/{digest}")
        if response.status_code == 200 and response.headers.get("content-type", "") == CATALOG_TYPE:
            return response.content
        self._answer(response, f"/v1/catalogs/{digest}", ())  # the hub's refusal, or not the hub: raises
        raise HubFailureError("server", "服务器没有返回目录文件，稍后重试")

    def changes(self, since: int) -> dict[str, Any]:
        return self._request("GET", "/v1/changes", params={"since": since}).data

    def upload_blob(self, sha: str, path: Path, size: int) -> int:
        """Make sure the hub holds this file; resumes a large one where the hub's partial ends. Bytes sent.
        A proxy's 413 shrinks the chunks (down to MIN_CHUNK) for the rest of this client's life."""
        offset, sent = (0 if size <= self.chunk else self._held_offset(sha, size)), 0
        while offset < size:
            with path.open("rb") as f:
                f.seek(offset)
                data = f.read(self.chunk)
            try:
                answer = self._put_blob(sha, data, offset, size)
            except BlobRefusedError as refused:
                if refused.code != PROXY_TOO_LARGE or self.chunk <= MIN_CHUNK:
                    raise
                self.chunk = max(MIN_CHUNK, self.chunk // 4)
                offset = self._held_offset(sha, size)
                continue
            sent += len(data)
            reached = size if answer.data.get("held") else int(answer.data.get("offset", 0))
            if answer.status == 409:  # the hub's partial ends elsewhere: go on from there
                offset = reached
                continue
            if reached <= offset:
                raise HubFailureError("server", "服务器未确认收到完整的扫描件，稍后重试")
            offset = reached
        return sent

    def _held_offset(self, sha: str, size: int) -> int:
        progress = self._request("GET", f"/v1/blobs/{sha}").data
        return size if progress["held"] else int(progress["offset"])

    def _put_blob(self, sha: str, data: bytes, offset: int, total: int) -> Answer:
        answer = self._request("PUT", f"/v1/blobs/{sha}", params={"offset": offset, "total": total}, content=data,
                               headers={"Content-Type": "application/octet-stream"}, refusals=(409, 413, 422))
        if answer.status in (413, 422):
            raise BlobRefusedError(answer.code, answer.message)
        return answer

    # the one place a request happens

    def _request(self, method: str, path: str, *, refusals: tuple[int, ...] = (), **kwargs: Any) -> Answer:
        return self._answer(self._send(method, path, **kwargs), path, refusals)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise HubFailureError("timeout", f"连接县级汇聚服务器超时（{self.url}），稍后自动重试") from None
        except httpx.ConnectError:
            raise HubFailureError("unreachable", f"无法连接县级汇聚服务器（{self.url}）：网络不通或服务器未启动") from None
        except httpx.HTTPError:
            raise HubFailureError("unreachable", "与县级汇聚服务器的连接中断，稍后自动重试") from None

    def _answer(self, response: httpx.Response, path: str, refusals: tuple[int, ...]) -> Answer:
        data = _envelope(response)
        if data is None and response.status_code == 413 and 413 in refusals:  # a proxy's body limit
            too_big = {"code": PROXY_TOO_LARGE, "message": "请求超过网络代理允许的大小"}
            return Answer(413, syncschema.envelope(False, error=too_big))
        if data is None and response.status_code >= 500:
            raise HubFailureError("server", f"服务器或网络代理暂时出错（HTTP {response.status_code}），稍后自动重试",
                             _retry_after(response))
        if data is None:
            raise HubFailureError("not_hub", "收到的回应不是县级汇聚服务器发出的（可能是上网认证页面或代理），"
                                        "请先确认网络已登录、服务器地址正确")
        if response.status_code in (401, 403) and path != "/v1/enroll" and response.status_code not in refusals:
            raise HubFailureError("auth", REAUTH)
        if response.is_success and data["ok"]:
            return Answer(response.status_code, data)
        if response.status_code in refusals:
            return Answer(response.status_code, data)
        raise HubFailureError("server", f"县级汇聚服务器暂时出错（HTTP {response.status_code}），稍后自动重试",
                         _retry_after(response))


def _parts(parts: list[tuple[str, Path]]) -> tuple[list[dict[str, Any]], list[bytes]]:
    """A bundle's `parts` entries (sha256, size) and the files' bytes, in order."""
    contents = [path.read_bytes() for _, path in parts]
    return [{"sha256": sha, "size": len(c)} for (sha, _), c in zip(parts, contents, strict=True)], contents


def _framed(header: dict[str, Any], contents: list[bytes]) -> bytes:
    """A bundle's body (hub/bundle.py): the JSON header's length, a newline, the header, then the parts' bytes."""
    text = json.dumps(header, ensure_ascii=False).encode()
    return b"".join([str(len(text)).encode(), b"\n", text, *contents])


def _one_of_many(result: dict[str, Any]) -> Answer | HubFailureError:
    """One case's entry of a several-case answer as the Answer (or failure) of its own request."""
    fields = dict(result)
    status, ok = fields.pop("status", None), fields.pop("ok", None)
    if not isinstance(status, int) or not isinstance(ok, bool):
        return HubFailureError("server", "服务器对打包上传的回答不完整，稍后自动重试")
    if (status == 200 and ok) or (status in (409, 413, 422) and not ok):
        return Answer(status, syncschema.envelope(ok, **fields))
    retry_after = fields.get("retry_after")
    return HubFailureError("server", f"县级汇聚服务器暂时出错（HTTP {status}），稍后自动重试",
                           float(retry_after) if isinstance(retry_after, int | float) else None)


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    return data if syncschema.is_envelope(data) else None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
