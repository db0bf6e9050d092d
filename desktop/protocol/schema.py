"""What desk and hub agree on: the envelope, canonical payload hashing, and the case payload's shape.

Imported by both sides (the hub imports nothing else of desktop/), so it stays light: no Qt, no I/O.
The payload is exactly `desktop.domain.case.Case.to_dict()`; its shape is checked against the dataclass itself,
so a field added to Case is expected by the hub at once.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import sys
import types
import typing
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import MISSING
from typing import Any

from desktop.domain.case import STATES, Case

HUB_NAME = "yijianshi-hub"
API_VERSION = 1
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
NUMBER_RE = re.compile(r"^\d{6}-[A-Z0-9]{1,6}-\d{8}-\d{4}$")
CODE_RE = re.compile(r"[A-Za-z0-9_-]{22,64}")  # a case's public code: secrets.token_urlsafe(16) or longer
MAX_BLOBS_PER_CASE = 500
MAX_ID = 2**63 - 1  # cursors, revisions, sizes and ids are 64-bit in both databases: anything larger is refused

# Department statuses the hub may send back (its change feed), with the words clerks and departments use.
# 公示中 starts the case's 公示 (desktop/storage/publicity.py); the note names the place.
HUB_STATUSES = {"submitted": "已提交", "in_progress": "办理中", "publicity": "公示中", "completed": "已办结",
                "terminated": "已终止"}
STATUS_ALIASES = {"公示": "publicity", "公示中": "publicity", "已提交": "submitted", "办理中": "in_progress", "已办理": "in_progress", "受理中": "in_progress",
                  "已办结": "completed", "办结": "completed", "已终止": "terminated", "终止": "terminated"}


def envelope(ok: bool, **data: Any) -> dict[str, Any]:
    """The hub's own JSON envelope; nothing else counts as an answer from the hub."""
    return {"hub": HUB_NAME, "api": API_VERSION, "ok": ok, **data}


def is_envelope(obj: Any) -> bool:
    """True for a dict that carries the hub's name and an `ok` flag (a captive portal's page never does)."""
    return isinstance(obj, dict) and obj.get("hub") == HUB_NAME and isinstance(obj.get("ok"), bool)


def is_sha256(text: Any) -> bool:
    return isinstance(text, str) and bool(SHA256_RE.fullmatch(text))  # "$" would let a trailing newline in


def canonical_json(payload: dict[str, Any]) -> bytes:
    """The one byte form of a payload that both sides hash: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def normalize_status(text: str) -> str | None:
    """'completed', '已办结' or '办结' → 'completed'; None for anything the desk would not understand."""
    text = text.strip()
    return text if text in HUB_STATUSES else STATUS_ALIASES.get(text)


# shape checks


def validate_case_put(case_uuid: str, body: Any) -> list[str]:
    """Reasons (Chinese, naming fields, never values) why a PUT /v1/cases/{uuid} body is refused; [] if fine."""
    if not isinstance(body, dict):
        return ["请求体应为JSON对象"]
    reasons = _check_envelope_fields(body)
    if reasons:
        return reasons
    payload = body["payload"]
    reasons = [] if _valid(Case)(payload) else _check_value("payload", payload, Case)
    if reasons:
        return reasons[:20]
    return _check_semantics(case_uuid, body, payload)


BODY_KEYS = {"revision", "base_revision", "payload", "blobs"}


def _check_envelope_fields(body: dict[str, Any]) -> list[str]:
    reasons = [f"{k}：未知字段" for k in body if k not in BODY_KEYS]
    for key in ("revision", "base_revision"):
        if not _is_int(body.get(key)) or not 0 <= body[key] <= MAX_ID:
            reasons.append(f"{key}：应为非负整数（64位以内）")
    if not isinstance(body.get("payload"), dict):
        reasons.append("payload：应为JSON对象（案件数据）")
    blobs = body.get("blobs", [])
    if not isinstance(blobs, list) or not all(is_sha256(b) for b in blobs):
        reasons.append("blobs：应为sha256十六进制小写字符串的列表")
    elif len(blobs) > MAX_BLOBS_PER_CASE:
        reasons.append(f"blobs：一件案件最多{MAX_BLOBS_PER_CASE}个文件")
    if not reasons and body["revision"] <= body["base_revision"]:
        reasons.append("revision：应大于base_revision")
    return reasons


def _check_semantics(case_uuid: str, body: dict[str, Any], payload: dict[str, Any]) -> list[str]:
    reasons = []
    try:
        if str(uuidlib.UUID(case_uuid)) != case_uuid or payload.get("uuid") != case_uuid:
            reasons.append("uuid：案件数据的uuid与地址中的不一致")
    except ValueError:
        reasons.append("uuid：不是有效的UUID")
    if payload.get("revision", 0) != body["revision"]:
        reasons.append("revision：与案件数据中的revision不一致")
    if payload.get("state", "draft") not in STATES or payload.get("state", "draft") == "draft":
        reasons.append("state：不是可上报的案件状态（草稿不上报）")
    if not payload.get("number") or not NUMBER_RE.match(payload["number"]):
        reasons.append("number：案件编号格式不对（应为 区划代码-窗口-日期-序号）")
    if not 1 <= payload["service"] <= 999:
        reasons.append("service：一件事编号应在1–999之间")
    if payload.get("public_code") and not CODE_RE.fullmatch(payload["public_code"]):
        reasons.append("public_code：查询码格式不对（至少22位字母、数字、-或_）")
    reasons += [f"items[{i}].status：未知状态" for i, it in enumerate(payload.get("items", []))
                if it.get("status", "accepted") not in STATES]
    return reasons


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_value(path: str, value: Any, kind: Any) -> list[str]:
    """Check `value` against a type hint of the Case dataclass tree; returns reasons naming `path`."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return []
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return []
        return _check_value(path, value, next(a for a in args if a is not type(None)))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _check_dataclass(path, value, kind)
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}：应为列表"]
        return [r for i, v in enumerate(value) for r in _check_value(f"{path}[{i}]", v, args[0])]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}：应为对象"]
        return [r for k, v in value.items() for r in _check_value(f"{path}.{k}", v, args[1])]
    ok = _is_int(value) if kind is int else isinstance(value, kind)
    return [] if ok else [f"{path}：应为{_TYPE_WORDS.get(kind, kind.__name__)}"]


_TYPE_WORDS = {str: "文本", int: "整数", bool: "真/假", float: "数字"}


@functools.cache
def _valid(kind: Any) -> Callable[[Any], bool]:
    """A yes/no check of `value` against a type hint, built once per hint: True exactly when `_check_value`
    finds no reason. Most bodies are fine, so they skip building a path string for every field; a refused one
    is checked again by `_check_value` for its reasons."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return lambda value: True
    if origin in (typing.Union, types.UnionType):
        inner, nullable = _valid(next(a for a in args if a is not type(None))), type(None) in args
        return lambda value: (nullable and value is None) or inner(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _valid_dataclass(kind)
    if origin is list:
        item = _valid(args[0])
        return lambda value: isinstance(value, list) and all(item(v) for v in value)
    if origin is dict:
        item = _valid(args[1])
        return lambda value: isinstance(value, dict) and all(item(v) for v in value.values())
    if kind is int:
        return _is_int
    return lambda value: isinstance(value, kind)


def _valid_dataclass(cls: type) -> Callable[[Any], bool]:
    hints = _hints(cls)
    fields = [(f.name, _valid(hints[f.name])) for f in dataclasses.fields(cls)]
    required = {f.name for f in dataclasses.fields(cls) if f.default is MISSING and f.default_factory is MISSING}

    def valid(value: Any) -> bool:
        return (isinstance(value, dict) and required <= value.keys() and all(k in hints for k in value)
                and all(check(value[name]) for name, check in fields if name in value))
    return valid


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The fields' types. The model's modules import typing only for type checkers (a CLI command that reads a
    case does not load it, issue 16), so typing's names are supplied where the module has none of its own."""
    module = vars(sys.modules[cls.__module__])
    return typing.get_type_hints(cls, localns={k: getattr(typing, k) for k in typing.__all__ if k not in module})


def _check_dataclass(path: str, value: Any, cls: type) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}：应为对象"]
    hints = _hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    reasons = [f"{path}.{k}：未知字段" for k in value if k not in hints]
    # A field with a default may be missing (a desk older than the hub); unknown fields mean a newer desk:
    # upgrade the hub first (docs/sync.md).
    reasons += [f"{path}.{f.name}：缺少字段" for f in dataclasses.fields(cls)
                if f.name not in value and f.default is MISSING and f.default_factory is MISSING]
    for name in names:
        if name in value:
            reasons += _check_value(f"{path}.{name}", value[name], hints[name])
    return reasons
