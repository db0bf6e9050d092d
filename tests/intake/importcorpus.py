"""A corpus of malformed `case import` files: each a mutation of docs/examples/03.json and the words its
refusal must name (the field's key or its Chinese label).

Files are built as bytes, so the corpus holds what json.dumps cannot make: lone surrogates, 5,000-digit
numbers, NaN, duplicate keys, truncations, other encodings.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BASE: dict[str, Any] = json.loads((Path(__file__).parents[2] / "docs/examples/03.json").read_text(encoding="utf-8"))
DIGITS_5000 = "9" * 5000


class Raw(str):
    """JSON text spliced into the file as it is (json.dumps would quote it)."""


def dump(data: Any) -> bytes:
    """JSON bytes in which every Raw value is spliced in unquoted."""
    raws: list[str] = []

    def mark(v: Any) -> Any:
        if isinstance(v, Raw):
            raws.append(str(v))
            return f"@@RAW{len(raws) - 1}@@"
        if isinstance(v, dict):
            return {k: mark(x) for k, x in v.items()}
        if isinstance(v, list):
            return [mark(x) for x in v]
        return v

    text = json.dumps(mark(data), ensure_ascii=False)
    for i, raw in enumerate(raws):
        text = text.replace(f'"@@RAW{i}@@"', raw)
    return text.encode("utf-8", "surrogatepass")


def with_value(path: str, value: Any) -> dict[str, Any]:
    """BASE with the value at a dotted path replaced (created if absent)."""
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return data


BAD_DATES = ["2025-02-30", "2025-13-01", "2025-00-10", "2025-04-31", "2023-02-29", "tomorrow", "today", "1800-01-01",
             "2099-01-01", "9999-12-31", "0000-01-01", "2019-12-31", "2025-2-3", "20250203", "2025/02/03",
             " 2025-02-03", "2025-02-03 ", "2025-02-03T00:00", "２０２５-０２-０３", "2025-02-03\n", "", "2025-W05",
             20250203, None, True, 2025.5, [], {}, Raw(DIGITS_5000)]
BAD_COUNTS = [-1, -100, 1.5, 0.5, True, False, 10**30, "2", "two", None, [], {}, 100, 0, 1e400, Raw(DIGITS_5000),
              Raw("-" + DIGITS_5000), Raw("1e999"), Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), 2.0]
BAD_RECEIVED = [1, 0, True, None, [], ["copy"], {"received": 1}, {"received": True}, "ORIGINAL", "原件", "orig",
                "co\u200bpy\x00", "\x00", {"received": "copy", "x": 1}, {"received": "copy", "note": 5},
                {"received": "copy", "note": "备" * 201}, {"received": "copy", "note": "a\x1b[2Jb"},
                {"received": "", "count": 2}, {"count": 3}, {"received": "copy", "count": None}]
BAD_NAMES = ["", "   ", "\u200b", "\u200b\u200c\u200d\u2060\ufeff", "\x00", "张\x00三", "张\n三", "\n", "\t\t",
             "\u202e张三", "\u2066\u2069", "\x1b[31m张三\x1b[0m", "\x1b", Raw('"\\ud800"'), Raw('"张\\udfff"'),
             Raw('"\\udc00\\ud800"'), 1, None, [], {}, "张" * 41, "\u0085", "\u2028", "张\u00ad三", "\x7f",
             "\u200e", "\x1b]0;title\x07"]
BAD_ANSWERS = [("hukou_in_county", {"a": 1}), ("hukou_in_county", [True]), ("hukou_in_county", None),
               ("hukou_in_county", 1.5), ("hukou_in_county", Raw(DIGITS_5000)), ("unknown_question", True),
               ("hukou_in_county\x00", True), ("", True), ("a" * 65, True), ("has_disability_card", "yes"),
               ("hukou_in_county", "x" * 501), ("hukou_in_county", {"deep": {"deeper": [1, [2, [3]]]}}),
               ("identity", ["orphan"]), ("has_disability_card", 1)]
BAD_LINKS = [[6] * 1000, [6, 6], [6] * 10000, ["6"], [6.0], [True], [0], [99], [-6], "6", {}, [[6]],
             [Raw(DIGITS_5000)], None, list(range(1, 30)), [6, 7, 6], [3], [2]]
BAD_TOP = [("service", "3"), ("service", 3.0), ("service", True), ("service", 0), ("service", -1), ("service", 1000),
           ("service", 99), ("service", Raw(DIGITS_5000)), ("service", None), ("mandate_signed", "true"),
           ("mandate_signed", 1), ("mandate_signed", None), ("applied_by", 1), ("applied_by", "x" * 30),
           ("applied_by", "proxy\x00"), ("applied_by", "someone"), ("proxy_kind", "boss"), ("proxy_kind", []),
           ("method", "网上办\n"), ("method", "坐飞机办"), ("method", 1), ("expect_state", "done"), ("expect_state", 1),
           ("clerk", "\x1b[2J"), ("clerk", "员" * 41), ("ineligible_reason", "理" * 501), ("ineligible_reason", 5),
           ("answers", []), ("answers", "x"), ("materials", []), ("materials", None), ("applicant", "罗䶮"),
           ("applicant", []), ("applicant", None), ("guardian", "x"), ("proxy", [1]), ("extra", 1), ("Service", 3),
           ("applicant.nickname", "x"), ("applicant.name\u200b", "x"), ("guardian.age", 30), ("proxy.id", "x")]
BAD_PERSON_FIELDS = [("id_number", "abc"), ("id_number", "4306822010051848801"), ("id_number", "1" * 33),
                     ("id_number", "430682201005184881"), ("id_number", "430682203005184880"), ("id_number", 430682),
                     ("id_number", "43068220100518488\x00"), ("id_number", Raw('"\\ud800"')), ("phone", "1" * 21),
                     ("phone", "abc"), ("phone", 13426420000), ("phone", "1342642\n0000"), ("address", "地" * 121),
                     ("address", "白水乡\x00"), ("address", ["a"]), ("township", "乡" * 41), ("township", "\u202e白水乡"),
                     ("village", "\x1b[1m白水村"), ("village", None), ("relation", "关" * 21)]


def cases() -> Iterator[tuple[str, bytes, tuple[str, ...]]]:
    """(id, file bytes, words one of which the refusal must contain)."""
    yield from _field_cases()
    yield from _file_cases()


def _field_cases() -> Iterator[tuple[str, bytes, tuple[str, ...]]]:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for i, v in enumerate([*BAD_DATES, tomorrow]):
        yield f"date-{i}", dump(with_value("application_date", v)), ("application_date",)
    for i, v in enumerate(BAD_COUNTS):
        yield f"count-{i}", dump(with_value("materials.id_card", {"received": "copy", "count": v})), ("materials.id_card",)
    for i, v in enumerate(BAD_RECEIVED):
        yield f"received-{i}", dump(with_value("materials.id_card", v)), ("materials.id_card",)
    for who, label in (("applicant", "申请人"), ("guardian", "监护人"), ("proxy", "代办人")):
        for i, v in enumerate(BAD_NAMES):
            yield f"name-{who}-{i}", dump(with_value(f"{who}.name", v)), (f"{who}.name", f"{label}姓名", who)
    for i, (q, v) in enumerate(BAD_ANSWERS):
        data = copy.deepcopy(BASE)
        data["answers"][q] = v
        yield f"answer-{i}", dump(data), ("answers", "回答", "”的回答无效")
    for i, v in enumerate(BAD_LINKS):
        yield f"links-{i}", dump(with_value("linked_services", v)), ("linked_services", "关联事项")
    for i, (key, v) in enumerate(BAD_TOP):
        yield f"top-{i}", dump(with_value(key, v)), _top_words(key)
    for who, label in (("applicant", "申请人"), ("guardian", "监护人")):
        for i, (key, v) in enumerate(BAD_PERSON_FIELDS):
            yield f"person-{who}-{i}", dump(with_value(f"{who}.{key}", v)), (f"{who}.{key}", label)


def _top_words(key: str) -> tuple[str, ...]:
    head = key.split(".")[0]
    return (head, "“" + head[:20], "一件事", "办理方式", "申请方式", "代办人", "委托", "理由", "材料")


def _file_cases() -> Iterator[tuple[str, bytes, tuple[str, ...]]]:
    good = json.dumps(BASE, ensure_ascii=False)
    files: list[bytes] = [
        b"", b"   ", b"{", b"}", b"[]", b"null", b"42", b'"case"', b"true", good[:-1].encode(), good[:200].encode(),
        good.encode("utf-16"), good.encode("gb18030"), b"\xff\xfe\x00\x00", b"{" * 100_000, b"[" * 100_000,
        b'{"service": 3, "service": 3}', good.replace('"applicant"', '"applicant": {}, "applicant"', 1).encode(),
        b'{"service": NaN}', b'{"service": Infinity}', b"{\"service\": 3} trailing", b"\x00" * 64,
        ('{"applicant": {"name": "' + "地" * 1_000_000 + '"}}').encode(),
        (b'{"ser\\ud800vice": 3}'), b'{"service": 3, "applicant": {"name": "\\u0000"}}',
        ("{" + '"answers": {"a": ' * 500 + "1" + "}" * 500 + "}").encode(),
        good.replace("{", "{\n", 1).encode() + b"\n\x1a",
    ]
    for i, raw in enumerate(files):
        yield f"file-{i}", raw, ("文件", "service", "applicant", "answers", "字段")
