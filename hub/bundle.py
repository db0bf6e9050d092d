"""A case with its small scans in one request: `PUT /v1/cases/{uuid}/bundle`.

Body: the JSON header's length in decimal ASCII, a newline, the header (a case PUT body plus
`"parts": [{"sha256": …, "size": …}, …]`), then each part's bytes in that order. Each part must be one of the
case's `blobs`; the hub verifies and stores every part before it stores the case, exactly as if the scans had
been PUT one by one first. One request instead of one per scan: that is what makes sync fast.

Several cases in one request: `PUT /v1/cases/bundles`, the same framing with the header
`{"cases": [{"uuid": …, a case PUT body, "parts": […]}, …]}` (at most MAX_CASES) and then every case's parts'
bytes, case after case. Each case is then handled as if it had come alone (hub/app.py); only a malformed body
refuses the whole request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import ClientDisconnect

from desktop.protocol import schema as syncschema
from hub.blobstore import MAX_REQUEST_BYTES, BlobError

MAX_HEADER = 4 * 1024 * 1024
MAX_CASES = 32  # cases in one `PUT /v1/cases/bundles` (the body's ceiling is the single bundle's)
OPENAPI = {"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {
    "type": "string", "format": "binary",
    "description": "len(header) '\\n' header-JSON part-bytes…; header = case PUT body + parts[{sha256,size}]"}}}},
    # the headers every device route takes (hub/auth.py device_of reads them without FastAPI's dependencies)
    "parameters": [{"name": "authorization", "in": "header", "required": True, "schema": {"type": "string"}}]
    + [{"name": name, "in": "header", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                    "maximum": 10**9}}
       for name in ("x-desk-pending", "x-desk-conflicts", "x-desk-rejected")]
    + [{"name": "x-desk-instance", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 64}}]}

OPENAPI_MANY = {"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {
    "type": "string", "format": "binary",
    "description": "len(header) '\\n' header-JSON part-bytes…; header = {cases: [{uuid, case PUT body, parts}]}, "
                   "every case's parts in order"}}}}, "parameters": OPENAPI["parameters"]}


async def read(stream: AsyncIterator[bytes]) -> bytes:
    """The whole body, bounded; a cut connection stores nothing (a bundle is all or nothing)."""
    chunks, size = [], 0
    try:
        async for chunk in stream:
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_REQUEST_BYTES + MAX_HEADER:
                raise BlobError(413, "request_too_large", "一次打包上传不超过16 MB，较大的扫描件请单独分段上传")
    except ClientDisconnect:
        raise BlobError(400, "incomplete", "连接中断，请求不完整") from None
    return b"".join(chunks)


Parts = list[tuple[str, memoryview]]
MALFORMED = "打包格式不对（应为 头部长度、换行、头部JSON、各文件内容）"


def split(body: bytes) -> tuple[dict[str, Any], Parts]:
    """(header, [(sha256, bytes)]) from a bundle body, the parts as views (no copies); 422 if malformed."""
    header, data = _frame(body)
    parts_meta = header.pop("parts", None)
    if not isinstance(parts_meta, list):
        raise BlobError(422, "bad_bundle", MALFORMED)
    parts, at = _parts(parts_meta, data, 0)
    if at != len(data):
        raise BlobError(422, "bad_bundle", "各文件长度之和与请求体不符")
    return header, parts


def split_many(body: bytes) -> list[tuple[str, dict[str, Any], Parts]]:
    """[(uuid, case PUT body, parts)] from a several-case bundle, in order; 422 (the whole request) if malformed
    or over MAX_CASES. Each case's body is checked later, on its own, as a single bundle's is."""
    header, data = _frame(body)
    listed = header.get("cases")
    if not isinstance(listed, list) or not listed or any(not isinstance(case, dict) for case in listed):
        raise BlobError(422, "bad_bundle", "打包头部应为 {\"cases\": [每个案件的数据与 parts]}")
    if len(listed) > MAX_CASES:
        raise BlobError(422, "bad_bundle", f"一次最多打包 {MAX_CASES} 个案件")
    out, at = [], 0
    for case in listed:
        uuid, parts_meta = case.pop("uuid", None), case.pop("parts", None)
        if not isinstance(uuid, str) or not isinstance(parts_meta, list):
            raise BlobError(422, "bad_bundle", "cases：每项应有 uuid 与 parts")
        parts, at = _parts(parts_meta, data, at)
        out.append((uuid, case, parts))
    if at != len(data):
        raise BlobError(422, "bad_bundle", "各文件长度之和与请求体不符")
    return out


def _frame(body: bytes) -> tuple[Any, memoryview]:
    """The JSON header and the bytes after it."""
    newline_at = body.find(b"\n", 0, 20)
    try:
        size = int(body[:newline_at]) if newline_at > 0 else -1
        assert 0 <= size <= MAX_HEADER
        header = json.loads(body[newline_at + 1:newline_at + 1 + size])
    except (ValueError, AssertionError):
        raise BlobError(422, "bad_bundle", MALFORMED) from None
    if not isinstance(header, dict):
        raise BlobError(422, "bad_bundle", MALFORMED)
    return header, memoryview(body)[newline_at + 1 + size:]


def _parts(parts_meta: list[Any], data: memoryview, at: int) -> tuple[Parts, int]:
    """The parts listed in `parts_meta`, read from `data` from offset `at`; the offset after them."""
    parts: Parts = []
    for meta in parts_meta:
        sha, n = (meta.get("sha256"), meta.get("size")) if isinstance(meta, dict) else (None, None)
        if not syncschema.is_sha256(sha) or not isinstance(n, int) or n < 0:
            raise BlobError(422, "bad_bundle", "parts：每项应有 sha256 与 size")
        parts.append((str(sha), data[at:at + n]))
        at += n
    return parts, at


def check_parts(data: dict[str, Any], parts: Parts) -> None:
    """Every part is one of the case's declared scans."""
    declared = set(data.get("blobs", []))
    if any(sha not in declared for sha, _ in parts):
        raise BlobError(422, "bad_bundle", "parts 中的文件必须列在 blobs 中")
