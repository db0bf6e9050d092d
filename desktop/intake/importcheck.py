"""The shape of a `case import` file checked field by field, before anything reaches the catalog or the store.

Each refusal is one Chinese sentence naming the field (`applicant.name`, `materials.m1.count` …); values are
never repeated in it (they may be ID numbers). The catalog's own rules (eligibility, methods, links) come
after this in `importer.import_case`; what is checked here is what JSON itself lets through: types, lengths,
dates, counts, invisible characters, duplicates and depth.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from desktop.domain import limits
from desktop.domain.case import RECEIVED
from desktop.domain.errors import ValidationError

# Lengths in characters (desktop/domain/limits.py); the database repeats them as its last line.
LIMITS = {**limits.PERSON, **limits.CASE, "note": limits.NOTE, "answer": limits.ANSWER, "key": 64,
          "expect_state": 20, "received": 20, "delivery": 20}
PERSON_KEYS = tuple(limits.PERSON)
PERSON_LABELS = {"applicant": "申请人", "guardian": "监护人", "proxy": "代办人"}
KEY_LABELS = limits.LABELS
MAX_COUNT = 99
MAX_LINKED = 20
MAX_SERVICE = 999
EARLIEST_DAY = dt.date(2020, 1, 1)  # the bundled services date from 2024; older applications are typos
# Zero-width characters come with pastes from Word and web pages: dropped quietly, like spaces at the ends.
_DROPPED = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # \d would take full-width digits too


class Huge:
    """A JSON number too long to be a count or a service number (json's parse_int hook returns this)."""


def parse_int(text: str) -> int | Huge:
    """Digits for json.loads: at most 15, so a 5,000-digit number never reaches int()."""
    return int(text) if len(text.lstrip("-")) <= 15 else Huge()


def clean_text(value: Any, field: str, label: str, limit: int) -> str:
    """A text field: a string of at most `limit` characters with no control or invisible characters."""
    if not isinstance(value, str):
        raise ValidationError(f"{label}（{field}）应为文字", field=field)
    text = value.translate(_DROPPED).strip()
    for position, ch in enumerate(text, start=1):
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            raise ValidationError(f"{label}（{field}）第{position}个字符是控制字符或不可见字符（U+{ord(ch):04X}），"
                                  "请删除后再导入", field=field)
    if len(text) > limit:
        raise ValidationError(f"{label}（{field}）不能超过{limit}个字，现为{len(text)}个字", field=field)
    return text


def whole(value: Any, field: str, label: str, low: int, high: int) -> int:
    """An integer from `low` to `high`: not a bool, a fraction, a string or a 5,000-digit number."""
    if isinstance(value, Huge) or (isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high):
        raise ValidationError(f"{label}（{field}）应为{low}–{high}之间的整数", field=field)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"{label}（{field}）应为整数，不能是小数、文字或是/否", field=field)
    return value


def application_date(value: Any, today: dt.date) -> str:
    """YYYY-MM-DD, a real day, not before 2020 and not after today."""
    field = "application_date"
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValidationError("申请日期（application_date）应为 YYYY-MM-DD 格式的日期", field=field)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError("申请日期（application_date）不是有效日期（月或日不存在）", field=field) from None
    if day > today:
        raise ValidationError("申请日期（application_date）不能晚于今天", field=field)
    if day < EARLIEST_DAY:
        raise ValidationError(f"申请日期（application_date）不能早于{EARLIEST_DAY.year}年", field=field)
    return value


def person(value: Any, key: str) -> dict[str, str]:
    """A person object: known keys only, each a bounded text without control characters."""
    who = PERSON_LABELS[key]
    if not isinstance(value, dict):
        raise ValidationError(f"{who}（{key}）应为一个对象，如 {{\"name\": …}}", field=key)
    if bad := [k for k in value if k not in PERSON_KEYS]:
        raise ValidationError(f"{who}（{key}）中有未知项“{short(bad[0])}”，可用：{'、'.join(PERSON_KEYS)}", field=key)
    return {k: clean_text(v, f"{key}.{k}", who + KEY_LABELS[k], LIMITS[k]) for k, v in value.items()}


def material(mid: str, value: Any) -> dict[str, Any]:
    """'original'/'copy'/'scan'/'' or {received, count, note}, with a count that matches what was received."""
    field = f"materials.{mid}"
    if isinstance(value, str):
        value = {"received": value}
    if not isinstance(value, dict):
        raise ValidationError(f"材料（{field}）应为 \"original\"/\"copy\"/\"scan\" 或对象", field=field)
    if bad := [k for k in value if k not in ("received", "count", "note")]:
        raise ValidationError(f"材料（{field}）中有未知项“{short(bad[0])}”，可用：received、count、note", field=field)
    received = clean_text(value.get("received", ""), f"{field}.received", "材料接收方式", LIMITS["received"])
    if received not in ("", *RECEIVED):
        raise ValidationError(f"材料接收方式（{field}.received）应为 {'、'.join(RECEIVED)} 之一", field=f"{field}.received")
    low = 1 if received else 0
    count = whole(value.get("count", low), f"{field}.count", "材料份数", low, MAX_COUNT if received else 0)
    note = clean_text(value.get("note", ""), f"{field}.note", "材料备注", LIMITS["note"])
    return {"received": received, "count": count, "note": note}


def answer(qid: str, value: Any) -> bool | int | str:
    """One answer: a bool, a bounded integer or a bounded text; never a list, object, fraction or null."""
    field = f"answers.{qid}"
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Huge):
        return whole(value, field, "回答", -10**9, 10**9)
    if isinstance(value, str):
        return clean_text(value, field, "回答", LIMITS["answer"])
    raise ValidationError(f"回答（{field}）应为是/否、整数或文字，不能是列表、对象、小数或 null", field=field)


def linked(value: Any) -> list[int]:
    """Linked services: at most 20 distinct service numbers (a thousand copies must not open a thousand drafts)."""
    field = "linked_services"
    if not isinstance(value, list):
        raise ValidationError("关联事项（linked_services）应为一件事编号的列表", field=field)
    if len(value) > MAX_LINKED:
        raise ValidationError(f"关联事项（linked_services）最多{MAX_LINKED}项", field=field)
    numbers = [whole(n, field, "关联事项编号", 1, MAX_SERVICE) for n in value]
    if len(set(numbers)) != len(numbers):
        raise ValidationError("关联事项（linked_services）中有重复的编号", field=field)
    return numbers


def key_name(key: Any, field: str) -> str:
    """An object key used as an id (material, question): short, printable, no control characters."""
    return clean_text(key, field, "编号", LIMITS["key"]) or _empty_key(field)


def _empty_key(field: str) -> str:
    raise ValidationError(f"{field} 中有空的编号", field=field)


def short(text: str) -> str:
    """A key echoed in a message: printable and at most 20 characters (keys are not personal data)."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in str(text)[:20])
    return shown + ("…" if len(str(text)) > 20 else "")
