"""A case with its small scans in one request: `PUT /v1/cases/{uuid}/bundle`.

Body: the JSON header's length in decimal ASCII, a newline, the header (a case PUT body plus
`"parts": [{"sha256": …, "size": …}, …]`), then each part's bytes in that order. Each part must be one of the
case's `blobs`; the hub verifies and stores every part before it stores the case, exactly as if the scans had
been PUT one by one first. One request instead of one per scan: that is what makes sync fast.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import ClientDisconnect

from desktop.protocol import schema as syncschema
from hub.blobstore import MAX_REQUEST_BYTES, BlobError

MAX_HEADER = 4 * 1024 * 1024
OPENAPI = {"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {
    "type": "string", "format": "binary",
    "description": "len(header) '\\n' header-JSON part-bytes…; header = case PUT body + parts[{sha256,size}]"}}}},
    # the headers every device route takes (hub/auth.py device_of reads them without FastAPI's dependencies)
    "parameters": [{"name": "authorization", "in": "header", "required": True, "schema": {"type": "string"}}]
    + [{"name": name, "in": "header", "required": False, "schema": {"type": "integer", "minimum": 0,
                                                                    "maximum": 10**9}}
       for name in ("x-desk-pending", "x-desk-conflicts", "x-desk-rejected")]
    + [{"name": "x-desk-instance", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 64}}]}


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


def split(body: bytes) -> tuple[dict[str, Any], list[tuple[str, memoryview]]]:
    """(header, [(sha256, bytes)]) from a bundle body, the parts as views (no copies); 422 if malformed."""
    newline_at = body.find(b"\n", 0, 20)
    try:
        size = int(body[:newline_at]) if newline_at > 0 else -1
        header = json.loads(body[newline_at + 1:newline_at + 1 + size])
        parts_meta = header.pop("parts")
        assert isinstance(header, dict) and isinstance(parts_meta, list) and 0 <= size <= MAX_HEADER
    except (ValueError, KeyError, AttributeError, AssertionError, TypeError):
        raise BlobError(422, "bad_bundle", "打包格式不对（应为 头部长度、换行、头部JSON、各文件内容）") from None
    data, parts, at = memoryview(body)[newline_at + 1 + size:], [], 0
    for meta in parts_meta:
        sha, n = (meta.get("sha256"), meta.get("size")) if isinstance(meta, dict) else (None, None)
        if not syncschema.is_sha256(sha) or not isinstance(n, int) or n < 0:
            raise BlobError(422, "bad_bundle", "parts：每项应有 sha256 与 size")
        parts.append((sha, data[at:at + n]))
        at += n
    if at != len(data):
        raise BlobError(422, "bad_bundle", "各文件长度之和与请求体不符")
    return header, parts


def check_parts(data: dict[str, Any], parts: list[tuple[str, memoryview]]) -> None:
    """Every part is one of the case's declared scans."""
    declared = set(data.get("blobs", []))
    if any(sha not in declared for sha, _ in parts):
        raise BlobError(422, "bad_bundle", "parts 中的文件必须列在 blobs 中")
