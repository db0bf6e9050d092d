"""`case import FILE.json`: the documented JSON (docs/json.md) turned into a draft and accepted as the wizard does."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

from desktop.accounts import roles
from desktop.accounts.roles import Session
from desktop.domain import eligibility, idnumber
from desktop.domain.case import STAFF_PROXY_KINDS, Case, MaterialState, Person
from desktop.domain.errors import ValidationError
from desktop.forms import namecheck
from desktop.intake import importcheck
from desktop.storage.store import Store

TOP_KEYS = {
    "service": int, "application_date": str, "applicant": dict, "guardian": dict, "applied_by": str,
    "proxy_kind": str, "proxy": dict, "mandate_signed": bool, "method": str, "delivery": str, "answers": dict,
    "ineligible_reason": str, "materials": dict, "linked_services": list, "expect_state": str, "clerk": str,
}
EXPECT = ("accepted", "pending_materials")
TEXT_LABELS = {"applied_by": "申请方式", "proxy_kind": "代办人类型", "method": "办理方式",
               "delivery": "结果领取方式", "ineligible_reason": "继续办理的理由", "clerk": "经办人"}
KIND_NAMES = {int: "整数", str: "文字（加引号）", dict: "对象 {…}", list: "列表 […]", bool: "true 或 false"}
MAX_BYTES = 1_000_000  # a case with every field at its limit is under 50 KB


def case_to_json(case: Case) -> dict[str, Any]:
    """The import JSON that would recreate `case` as a draft (the inverse of case_from_json)."""
    d = case.to_dict()
    keep = ("service", "application_date", "applicant", "guardian", "applied_by", "proxy_kind", "proxy",
            "mandate_signed", "method", "delivery", "answers", "ineligible_reason", "linked_services")
    out = {k: d[k] for k in keep if d[k] not in (None, "", [])}
    for key in ("applicant", "guardian", "proxy"):
        if key in out:
            out[key] = {k: v for k, v in out[key].items() if v}
    out["materials"] = {k: v["received"] for k, v in d["materials"].items() if v["received"]}
    return out


def read_json(path: Path) -> dict[str, Any]:
    """The import file as a JSON object: a regular file of at most 1 MB, numbers and depth bounded."""
    name = importcheck.short(Path(path).name)
    raw = _read_bounded(Path(path), name)
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_int=importcheck.parse_int,
                          parse_constant=_not_a_number, object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise ValidationError(f"文件 {name} 不是UTF-8编码的文本", field="file") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(f"文件 {name} 不是有效的JSON：第{exc.lineno}行第{exc.colno}列", field="file") from None
    except RecursionError:
        raise ValidationError(f"文件 {name} 的JSON嵌套过深", field="file") from None
    if not isinstance(data, dict):
        raise ValidationError(f"文件 {name} 的内容应为一个JSON对象", field="file")
    return data


def _read_bounded(path: Path, name: str) -> bytes:
    """Read at most MAX_BYTES + 1 bytes of a regular file; a directory, FIFO or device is refused unread.

    O_NONBLOCK makes opening a FIFO return at once (a blocking open waits for a writer for ever); the
    fstat after opening sees the file actually opened, not whatever the name pointed to a moment before.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ValidationError(f"找不到文件：{name}", field="file") from None
    except IsADirectoryError:
        raise ValidationError(f"{name} 是文件夹，请给出JSON文件", field="file") from None
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {name}（错误号 {exc.errno}）", field="file") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValidationError(f"{name} 不是普通文件（文件夹、管道或设备），请给出JSON文件", field="file")
    with os.fdopen(fd, "rb") as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationError(f"文件 {name} 超过{MAX_BYTES // 1_000_000}MB，不像一个案件", field="file")
    return raw


def _not_a_number(_text: str) -> importcheck.Huge:
    """NaN and Infinity are no count: the field that holds one refuses it by name."""
    return importcheck.Huge()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are unique: with a repeated key, which value counts would be a guess."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValidationError(f"字段“{importcheck.short(dup)}”出现了不止一次", field=importcheck.short(dup))
    return data


def case_from_json(data: dict[str, Any], *, today: dt.date | None = None) -> Case:
    """A draft from the import JSON; every bad key, type, length, date or count is refused with its field named."""
    for key, value in data.items():
        kind = TOP_KEYS.get(key)
        if kind is None:
            raise ValidationError(f"未知字段“{importcheck.short(key)}”，可用字段：{'、'.join(TOP_KEYS)}",
                                  field=importcheck.short(key))
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValidationError(f"字段“{key}”的类型不对：应为{KIND_NAMES[kind]}", field=key)
    if "service" not in data:
        raise ValidationError("缺少字段“service”（一件事编号）", field="service")
    if "applicant" not in data:
        raise ValidationError("缺少字段“applicant”（申请人）", field="applicant")
    case = Case(service=importcheck.whole(data["service"], "service", "一件事编号", 1, importcheck.MAX_SERVICE))
    for key, label in TEXT_LABELS.items():
        if key in data:
            setattr(case, key, importcheck.clean_text(data[key], key, label, importcheck.LIMITS[key]))
    case.mandate_signed = data.get("mandate_signed", False)
    if "application_date" in data:
        case.application_date = importcheck.application_date(data["application_date"], today or dt.date.today())
    case.applicant = _person(data["applicant"], "applicant")
    case.guardian = _person(data["guardian"], "guardian") if data.get("guardian") else None
    case.proxy = _person(data["proxy"], "proxy") if data.get("proxy") else None
    case.answers = {importcheck.key_name(q, "answers"): importcheck.answer(q, v) for q, v in data.get("answers", {}).items()}
    case.materials = {importcheck.key_name(m, "materials"): MaterialState(**importcheck.material(m, v))
                      for m, v in data.get("materials", {}).items()}
    case.linked_services = importcheck.linked(data.get("linked_services", []))
    return case


def _person(value: dict[str, Any], key: str) -> Person:
    """A person with ID numbers stored as validated: normalised, a 15-digit number converted to 18."""
    fields = importcheck.person(value, key)
    who = importcheck.PERSON_LABELS[key]
    if "name" in fields and not fields["name"]:
        raise ValidationError(f"{who}姓名（{key}.name）去掉空白和不可见字符后为空", field=f"{key}.name")
    # i17: the name-check of rare characters (fonts) plugs in here, on fields["name"], before the Person is made.
    if fields.get("id_number"):
        fields["id_number"] = idnumber.stored(fields["id_number"])
    return Person(**fields)


def import_case(store: Store, data: dict[str, Any], *, actor: str = "", session: Session | None = None) -> Case:
    """Accept the case described by `data`, or raise with nothing written; `session` (if any) must cover its area."""
    case = case_from_json(data)
    if case.proxy and case.proxy_kind in STAFF_PROXY_KINDS and not case.proxy.staff_no:
        from desktop.accounts.staff import Accounts  # argon2 with it: only for a staff 受托人 without a 工号

        case.proxy.staff_no = Accounts(store.db).staff_numbers().get(case.proxy.name, "")  # as the wizard does
    if refusal := roles.area_refusal(session, case):
        from desktop.accounts.staff import PermissionDeniedError  # staff loads argon2: only when refusing

        raise PermissionDeniedError(refusal, field="applicant.township")
    namecheck.check_case(case)  # a name that cannot print is refused before it gets a number
    service = store.catalog.service(case.service)
    if unknown := [q for q in case.answers if q not in service.ask]:
        raise ValidationError(f"回答（answers）中有本一件事不问的问题“{importcheck.short(unknown[0])}”，"
                              f"可用：{'、'.join(service.ask) or '无'}", field=f"answers.{importcheck.short(unknown[0])}")
    expect = data.get("expect_state", "accepted")
    if expect not in EXPECT:
        raise ValidationError("expect_state 应为 accepted 或 pending_materials", field="expect_state")
    missing = eligibility.missing_materials(service, case)
    if missing and expect != "pending_materials":
        names = "、".join(service.material(m).name for m in missing)
        raise ValidationError(
            f"缺少必需材料：{names}。如需以“补正中”受理并出具一次性告知书，请写 \"expect_state\": \"pending_materials\"",
            field=f"materials.{missing[0]}",
        )
    if not missing and expect == "pending_materials":
        raise ValidationError("材料已齐全，不应以“补正中”受理", field="expect_state")
    return store.accept(case, actor=actor)
