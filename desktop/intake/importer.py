"""`case import FILE.json`: the documented JSON (docs/json.md) turned into a draft and accepted as the wizard does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.domain import eligibility
from desktop.domain.case import Case, MaterialState, Person
from desktop.domain.errors import ValidationError
from desktop.storage.store import Store

PERSON_KEYS = {"name", "id_number", "phone", "address", "township", "village", "relation"}
TOP_KEYS = {
    "service": int, "application_date": str, "applicant": dict, "guardian": dict, "applied_by": str,
    "proxy_kind": str, "proxy": dict, "mandate_signed": bool, "method": str, "delivery": str, "answers": dict,
    "ineligible_reason": str, "materials": dict, "linked_services": list, "expect_state": str, "clerk": str,
}
EXPECT = ("accepted", "pending_materials")


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
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ValidationError(f"找不到文件：{path}", field="file") from None
    except UnicodeDecodeError:
        raise ValidationError(f"文件 {Path(path).name} 不是UTF-8编码的文本", field="file") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(f"文件 {Path(path).name} 不是有效的JSON：第{exc.lineno}行第{exc.colno}列", field="file") from None
    if not isinstance(data, dict):
        raise ValidationError(f"文件 {Path(path).name} 的内容应为一个JSON对象", field="file")
    return data


def case_from_json(data: dict[str, Any]) -> Case:
    """A draft from the import JSON; wrong keys or types are refused with the key named."""
    for key, value in data.items():
        kind = TOP_KEYS.get(key)
        if kind is None:
            raise ValidationError(f"未知字段“{key}”，可用字段：{'、'.join(TOP_KEYS)}", field=key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValidationError(f"字段“{key}”的类型不对", field=key)
    if "service" not in data:
        raise ValidationError("缺少字段“service”（一件事编号）", field="service")
    if "applicant" not in data:
        raise ValidationError("缺少字段“applicant”（申请人）", field="applicant")
    plain = {k: data[k] for k in ("service", "application_date", "applied_by", "proxy_kind", "mandate_signed",
                                  "method", "delivery", "answers", "ineligible_reason", "clerk") if k in data}
    case = Case(**plain)
    case.applicant = _person(data["applicant"], "applicant")
    case.guardian = _person(data["guardian"], "guardian") if data.get("guardian") else None
    case.proxy = _person(data["proxy"], "proxy") if data.get("proxy") else None
    case.materials = {mid: _material(mid, v) for mid, v in data.get("materials", {}).items()}
    case.linked_services = [_int(n, "linked_services") for n in data.get("linked_services", [])]
    return case


def _person(value: dict[str, Any], key: str) -> Person:
    if bad := set(value) - PERSON_KEYS:
        raise ValidationError(f"字段“{key}”中有未知项：{'、'.join(sorted(bad))}", field=key)
    if any(not isinstance(v, str) for v in value.values()):
        raise ValidationError(f"字段“{key}”的各项应为文字", field=key)
    return Person(**{k: v.strip() for k, v in value.items()})


def _material(mid: str, value: Any) -> MaterialState:
    if isinstance(value, str):
        return MaterialState(received=value, count=1 if value else 0)
    if isinstance(value, dict) and set(value) <= {"received", "count", "note"}:
        received = value.get("received", "")
        return MaterialState(received=received, count=int(value.get("count", 1 if received else 0)),
                             note=str(value.get("note", "")))
    raise ValidationError(f"材料“{mid}”应为 \"original\"/\"copy\"/\"scan\" 或对象", field=f"materials.{mid}")


def _int(value: Any, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"字段“{key}”应为一件事编号（整数）列表", field=key)
    return value


def import_case(store: Store, data: dict[str, Any], *, actor: str = "") -> Case:
    """Accept the case described by `data`, or raise with nothing written."""
    case = case_from_json(data)
    service = store.catalog.service(case.service)
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
