"""Build data/catalog.sqlite from the TOML under resources/catalog/, refusing anything the desk cannot use."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from desktop.domain import rules
from desktop.domain.case import PROXY_KINDS
from desktop.domain.catalog import METHODS, NEEDS, content_hash, editorial_marks as catalog_editorial
from desktop.domain.errors import DeskError
from desktop.domain.tomlfile import read_toml
from desktop.storage import searchkeys

BUILTIN_FACTS: dict[str, set[str] | None] = {
    "age": None, "sex": {"男", "女"}, "minor": None, "proxy": None, "method": set(METHODS),
    "id_kind": {"resident", "hmt_permit", "foreign"},
}
QUESTION_TYPES = {"bool", "choice", "int", "text"}
# kinds of sensitive personal information (PIPL art. 28) the 委托书's separate consent can tick
SENSITIVE_KINDS = {"disability", "health", "minor", "finance"}
CODE_RE = re.compile(r"^[0-9A-Z]{12}$")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
Facts = dict[str, "set[str] | None"]  # the facts a service's rules may use, with their options if any

SCHEMA = (
    "CREATE TABLE questions (id TEXT PRIMARY KEY, position INTEGER, text TEXT, type TEXT, options TEXT,"
    " min INTEGER, max INTEGER, help TEXT, source TEXT, inferred INTEGER, sensitive TEXT) STRICT",
    "CREATE TABLE services (number INTEGER PRIMARY KEY, group_name TEXT, name TEXT, requirement TEXT,"
    " departments TEXT, level TEXT, methods TEXT, ask TEXT, time_limit TEXT, proxy TEXT, sources TEXT,"
    " initials TEXT, keywords TEXT, consent TEXT, auto_start TEXT) STRICT",
    "CREATE TABLE items (service INTEGER, position INTEGER, code TEXT, name TEXT, name_as_printed TEXT,"
    " applies_when TEXT, working_days INTEGER, PRIMARY KEY (service, position)) STRICT",
    "CREATE TABLE eligibility (service INTEGER, position INTEGER, id TEXT, rule TEXT, fail TEXT, items TEXT,"
    " source TEXT, inferred INTEGER, source_note TEXT, PRIMARY KEY (service, position)) STRICT",
    "CREATE TABLE materials (service INTEGER, position INTEGER, id TEXT, name TEXT, need TEXT, when_rule TEXT,"
    " form TEXT, copies INTEGER, note TEXT, items TEXT, source TEXT, inferred INTEGER, source_note TEXT,"
    " tolerable INTEGER, PRIMARY KEY (service, position)) STRICT",
    "CREATE TABLE links (service INTEGER, position INTEGER, target INTEGER, when_rule TEXT, reason TEXT,"
    " source TEXT, inferred INTEGER, source_note TEXT, auto INTEGER, excludes INTEGER DEFAULT 0,"
    " PRIMARY KEY (service, position)) STRICT",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) STRICT",  # version and content hash, written last
)
VERSION_RE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z.\-_\u4e00-\u9fff]{0,39}$")


class _Where:
    """Names the file and field of a complaint, so a county editor knows what to fix."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, what: str, message: str) -> DeskError:
        return DeskError(f"目录源文件 {self.path.name} 的 {what}：{message}")


def read_version(source_dir: Path) -> str:
    """The catalog's version from catalog.toml (required: every case records the version it was accepted under)."""
    path = source_dir / "catalog.toml"
    version = _load_toml(path).get("version")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise _Where(path).fail("version", "须有版本号，如 \"2026.1\"（字母、数字、点、横线，至多40字）")
    return version


def check(source_dir: Path) -> dict[str, Any]:
    """`catalog build --check`: everything build refuses, without writing (rules parse, links exist, codes and
    ids unique, printed texts free of editors' notes); returns the version and the number of services."""
    version = read_version(source_dir)
    _questions, services = read_source(source_dir)
    return {"version": version, "services": len(services)}


def read_source(source_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Questions and services from the TOML tree, validated; raises DeskError naming file and field."""
    qpath = source_dir / "questions.toml"
    questions = _load_toml(qpath).get("questions", [])
    qindex = _check_questions(questions, _Where(qpath))
    services, files = [], {}
    for path in sorted((source_dir / "services").glob("*.toml")):
        service = _load_toml(path)
        _check_service(service, qindex, _Where(path))
        if service["number"] in files:
            raise DeskError(f"目录源文件中一件事编号重复：{service['number']}（{files[service['number']]}、{path.name}）")
        files[service["number"]] = path.name
        services.append(service)
    numbers = list(files)
    for service in services:
        for link in service.get("links", []):
            if link["service"] not in numbers:
                raise DeskError(f"一件事{service['number']}的关联指向不存在的一件事{link['service']}")
    return questions, services


def _load_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise DeskError(f"找不到目录源文件：{path}")
    return read_toml(path)  # a BOM (Notepad, WPS) is fine; GBK is refused with the file named


def _check_questions(questions: list[dict[str, Any]], where: _Where) -> dict[str, dict[str, Any]]:
    index: dict[str, dict[str, Any]] = {}
    for q in questions:
        qid = q.get("id", "")
        if not ID_RE.match(qid) or qid in index or qid in BUILTIN_FACTS:
            raise where.fail(f"问题“{qid}”", "id 须为小写英文、唯一，且不能与内置事实同名")
        if q.get("type") not in QUESTION_TYPES or not q.get("text"):
            raise where.fail(f"问题“{qid}”", f"type 须为 {sorted(QUESTION_TYPES)} 之一，且须有 text")
        if q["type"] == "choice" and not q.get("options"):
            raise where.fail(f"问题“{qid}”", "选择题须有 options")
        if q.get("sensitive", "") not in SENSITIVE_KINDS | {""}:
            raise where.fail(f"问题“{qid}”的 sensitive", f"须为 {sorted(SENSITIVE_KINDS)} 之一")
        index[qid] = q
    return index


def _check_service(s: dict[str, Any], qindex: dict[str, dict[str, Any]], where: _Where) -> None:
    for key in ("number", "group", "name", "departments", "level", "methods", "items"):
        if not s.get(key):
            raise where.fail(key, "缺少或为空")
    if bad := [m for m in s["methods"] if m not in METHODS]:
        raise where.fail("methods", f"未知办理方式 {bad}，可用 {list(METHODS)}")
    for qid in s.get("ask", []):
        if qid not in qindex:
            raise where.fail("ask", f"questions.toml 中没有问题“{qid}”")
    known = _facts_of(s, qindex)
    codes = _check_items(s, known, where)
    _check_rules(s, known, codes, where)
    _check_materials(s, known, codes, where)
    for i, link in enumerate(s.get("links", [])):
        _check_rule(link.get("when", "true"), known, where, f"links[{i}].when")
        if not isinstance(link.get("service"), int) or not link.get("reason"):
            raise where.fail(f"links[{i}]", "须有整数 service 和 reason")
        if link.get("auto") and link.get("excludes"):
            raise where.fail(f"links[{i}]", "auto（将自动启动）与 excludes（正在办理则不能享受）不能同时为真")
    _check_rule(s.get("proxy", {}).get("guardian_when", "false"), known, where, "proxy.guardian_when")
    if bad := set(s.get("proxy", {}).get("kinds", [])) - set(PROXY_KINDS):
        raise where.fail("proxy.kinds", f"未知的代办人类型 {sorted(bad)}，可用 {list(PROXY_KINDS)}")
    consent = s.get("consent", {})
    if bad := set(consent.get("sensitive", [])) - SENSITIVE_KINDS:
        raise where.fail("consent.sensitive", f"未知的敏感信息种类 {sorted(bad)}，可用 {sorted(SENSITIVE_KINDS)}")
    if not isinstance(consent.get("finance_check", False), bool):
        raise where.fail("consent.finance_check", "须为 true 或 false")
    _check_printable(s, where)


def _check_printable(s: dict[str, Any], where: _Where) -> None:
    """Texts printed for the citizen carry no research notes: those belong in `source_note`."""
    tl, proxy = s.get("time_limit", {}), s.get("proxy", {})
    texts = [("requirement", s.get("requirement", "")), ("time_limit.note", tl.get("note", "")),
             ("auto_start", s.get("auto_start", "")),
             ("time_limit.basis", tl.get("basis", "")), ("proxy.appear_note", proxy.get("appear_note", ""))]
    for table, keys in (("items", ("name",)), ("eligibility", ("fail",)), ("materials", ("name", "note", "form")),
                        ("links", ("reason",))):
        texts += [(f"{table}[{i}].{k}", row.get(k, "")) for i, row in enumerate(s.get(table, [])) for k in keys]
    for what, text in texts:
        if marks := catalog_editorial(text):
            raise where.fail(what, f"打印给群众的文字中有编者注释（{'、'.join(marks)}），请移到 source_note")
    for key in ("working_days", "calendar_days", "publicity_days"):
        if key in tl and (not isinstance(tl[key], int) or tl[key] <= 0):
            raise where.fail(f"time_limit.{key}", "须为正整数")
    if not isinstance(tl.get("publicity_working", False), bool):
        raise where.fail("time_limit.publicity_working", "须为 true（工作日）或 false（自然日）")


def _check_items(s: dict[str, Any], known: Facts, where: _Where) -> set[str]:
    keys = set()
    for i, item in enumerate(s["items"]):
        code = item.get("code", "")
        if code and not CODE_RE.match(code):
            raise where.fail(f"items[{i}].code", f"“{code}”不是12位事项编码")
        if not item.get("name"):
            raise where.fail(f"items[{i}].name", "缺少事项名称")
        _check_rule(item.get("applies_when", "true"), known, where, f"items[{i}].applies_when")
        keys.add(code or item["name"])
    return keys


def _check_rules(s: dict[str, Any], known: Facts, codes: set[str], where: _Where) -> None:
    for i, rule in enumerate(s.get("eligibility", [])):
        if not rule.get("id") or not rule.get("fail"):
            raise where.fail(f"eligibility[{i}]", "须有 id 和 fail")
        _check_rule(rule.get("rule", ""), known, where, f"eligibility[{i}].rule")
        _check_item_refs(rule.get("items", []), codes, where, f"eligibility[{i}].items")


def _check_materials(s: dict[str, Any], known: Facts, codes: set[str], where: _Where) -> None:
    seen = set()
    for i, m in enumerate(s.get("materials", [])):
        mid = m.get("id", "")
        if not ID_RE.match(mid) or mid in seen:
            raise where.fail(f"materials[{i}].id", f"“{mid}”须为小写英文且在本一件事内唯一")
        seen.add(mid)
        if m.get("need") not in NEEDS or not m.get("name"):
            raise where.fail(f"materials[{i}]", f"need 须为 {list(NEEDS)} 之一，且须有 name")
        if m["need"] == "conditional" and not m.get("when"):
            raise where.fail(f"materials[{i}].when", "视情况提交的材料须写明条件 when")
        _check_rule(m.get("when", "true"), known, where, f"materials[{i}].when")
        _check_item_refs(m.get("items", []), codes, where, f"materials[{i}].items")


def _check_item_refs(refs: list[str], codes: set[str], where: _Where, what: str) -> None:
    if bad := [r for r in refs if r not in codes]:
        raise where.fail(what, f"引用了本一件事没有的事项 {bad}")


def _facts_of(s: dict[str, Any], qindex: dict[str, dict[str, Any]]) -> Facts:
    asked = {q: set(qindex[q]["options"]) if qindex[q]["type"] == "choice" else None for q in s.get("ask", [])}
    return BUILTIN_FACTS | asked


def _check_rule(text: str, known: Facts, where: _Where, what: str) -> None:
    try:
        names = rules.names_in(text)
    except rules.RuleError as exc:
        raise where.fail(what, str(exc)) from None
    if unknown := names - set(known):
        raise where.fail(what, f"规则用到未定义的事实 {sorted(unknown)}（须在 ask 中列出或为内置事实）")
    for name, value in rules.compared_strings(text):
        if known.get(name) and value not in known[name]:
            raise where.fail(what, f"“{value}”不是“{name}”的选项之一：{sorted(known[name])}")


def build(source_dir: Path, out_path: Path) -> int:
    """Write the catalog database atomically; returns the number of services."""
    version = read_version(source_dir)
    questions, services = read_source(source_dir)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".catalog-", suffix=".sqlite", dir=out_path.parent)
    os.close(fd)
    try:
        _write(Path(tmp), questions, services, version)
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return len(services)


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _write(path: Path, questions: list[dict[str, Any]], services: list[dict[str, Any]], version: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for statement in SCHEMA:
            conn.execute(statement)
        for pos, q in enumerate(questions):
            conn.execute(
                "INSERT INTO questions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (q["id"], pos, q["text"], q["type"], _j(q.get("options", [])), q.get("min"), q.get("max"),
                 q.get("help", ""), q.get("source", ""), int(q.get("inferred", False)), q.get("sensitive", "")),
            )
        for s in sorted(services, key=lambda s: s["number"]):
            _write_service(conn, s)
        conn.executemany("INSERT INTO meta VALUES (?, ?)",
                         [("version", version), ("hash", content_hash(conn, version))])
    conn.execute("VACUUM")
    conn.close()


def _short_name(name: str) -> str:
    """The name without the 我要/申领/办理 lead-in, so '残疾人证' gives 'cjrz' as clerks type it."""
    for lead in ("我要申请", "我要申领", "我要办理", "我要享受", "我要办", "我要"):
        if name.startswith(lead):
            return name[len(lead):]
    return name


def _finder_initials(s: dict[str, Any]) -> list[str]:
    """Pinyin initials the service finder matches: short name, item names and keywords (低保 → db)."""
    texts = [_short_name(s["name"]), *(i["name"] for i in s["items"]), *s.get("keywords", [])]
    return sorted({v for t in texts for v in searchkeys.initials(t, heteronym=False)})


def _write_service(conn: sqlite3.Connection, s: dict[str, Any]) -> None:
    n = s["number"]
    conn.execute(
        "INSERT INTO services VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (n, s["group"], s["name"], s.get("requirement", ""), _j(s["departments"]), s["level"],
         _j(s["methods"]), _j(s.get("ask", [])), _j(s.get("time_limit", {})), _j(s.get("proxy", {})),
         _j(s.get("sources", [])), _j(_finder_initials(s)), _j(s.get("keywords", [])), _j(s.get("consent", {})),
         s.get("auto_start", "")),
    )
    for pos, i in enumerate(s["items"]):
        conn.execute("INSERT INTO items VALUES (?,?,?,?,?,?,?)",
                     (n, pos, i.get("code", ""), i["name"], i.get("name_as_printed", ""),
                      i.get("applies_when", ""), i.get("working_days")))
    for pos, e in enumerate(s.get("eligibility", [])):
        conn.execute("INSERT INTO eligibility VALUES (?,?,?,?,?,?,?,?,?)",
                     (n, pos, e["id"], e["rule"], e["fail"], _j(e.get("items", [])), e.get("source", ""),
                      int(e.get("inferred", False)), e.get("source_note", "")))
    for pos, m in enumerate(s.get("materials", [])):
        conn.execute("INSERT INTO materials VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     (n, pos, m["id"], m["name"], m["need"], m.get("when", ""), m.get("form", ""),
                      int(m.get("copies", 1)), m.get("note", ""), _j(m.get("items", [])),
                      m.get("source", ""), int(m.get("inferred", False)), m.get("source_note", ""),
                      int(m.get("tolerable", False))))
    for pos, k in enumerate(s.get("links", [])):
        conn.execute("INSERT INTO links VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (n, pos, k["service"], k.get("when", "true"), k["reason"], k.get("source", ""),
                      int(k.get("inferred", False)), k.get("source_note", ""), int(k.get("auto", False)),
                      int(k.get("excludes", False))))
