"""The read-only service catalog: frozen dataclasses loaded from data/catalog.sqlite."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from desktop.domain import paths
from desktop.domain.catalogfile import (  # the file's own helpers, re-exported: callers name them from here
    connect_read_only as connect_read_only,
    existing,
    read_meta as read_meta,
    read_only_target as read_only_target,
)
from desktop.domain.errors import DeskError

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

METHODS = ("网上办", "就近办", "上门办", "免申办")
# What must never reach a citizen's paper: research notes, other places' figures, sources, links.
_OUTSIDE = ("北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 广东 广西 海南 "
            "四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 内蒙古 沂水 武汉 硚口 宜昌 濮阳 洛阳 金安 燕山 深圳 杭州 成都")
EDITORIAL = "|".join([r"未查到", r"推断", r"待确认", r"https?:", r"www\.", r"\.md\b", r"(?<![A-Za-z])S\d+\b",
                      r"\bNAT\b", r"\bINF\b", r"部分(?:县|地区|城市|地方)", r"各(?:地|县)", r"旧地方",
                      *_OUTSIDE.split()])  # compiled when first used (`editorial_marks`), not by every loader
UNKNOWN_LIMIT = "按承办部门规定"
NEEDS = {"required": "必需", "conditional": "视情况", "optional": "可选"}


@dataclass(frozen=True, kw_only=True)
class Sourced:
    """Where a catalog fact comes from (a source tag of domain.md) and whether it is inferred, not sourced."""

    source: str = ""
    inferred: bool = False
    source_note: str = ""  # the editor's note on where this comes from: shown by `catalog show`, never printed


@dataclass(frozen=True)
class Question(Sourced):
    """An eligibility question, shared by every service that asks it."""

    id: str
    text: str
    type: str
    options: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    help: str = ""
    sensitive: str = ""  # a yes ticks this kind of sensitive information in the 委托书 (SENSITIVE_KINDS)


@dataclass(frozen=True)
class Item:
    """One administrative 事项 bundled in a service; `code` is '' where the notice prints none."""

    code: str
    name: str
    name_as_printed: str = ""
    applies_when: str = ""
    working_days: int | None = None

    @property
    def key(self) -> str:
        """A stable id within the service: the code, or the name for code-less items."""
        return self.code or self.name


@dataclass(frozen=True)
class Rule(Sourced):
    """An eligibility rule that must hold; `fail` is the sentence a clerk reads when it does not."""

    id: str
    rule: str
    fail: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Material(Sourced):
    """A paper the case needs: required, conditional on a rule, or optional."""

    id: str
    name: str
    need: str
    when: str = ""
    form: str = ""
    copies: int = 1
    note: str = ""
    items: tuple[str, ...] = ()
    tolerable: bool = False  # 容缺受理: the case may be accepted while this one is promised for later


@dataclass(frozen=True)
class Link(Sourced):
    """A service to offer alongside this one, with the reason shown to clerk and citizen."""

    service: int
    when: str
    reason: str
    auto: bool = False  # 将自动启动: the other service starts by itself; offered as information, not a new case
    # an open case of the other service rules this one out once it succeeds (特困供养 → no 两项补贴): never
    # offered; the wizard warns on this service's eligibility page when the person has such a case open
    excludes: bool = False


@dataclass(frozen=True)
class Service:
    """One 一件事: the seed table's row plus what the wizard needs."""

    number: int
    group: str
    name: str
    requirement: str
    departments: tuple[str, ...]
    level: str
    methods: tuple[str, ...]
    items: tuple[Item, ...]
    ask: tuple[str, ...] = ()
    eligibility: tuple[Rule, ...] = ()
    materials: tuple[Material, ...] = ()
    links: tuple[Link, ...] = ()
    time_limit: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    proxy: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    sources: tuple[str, ...] = ()
    initials: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    consent: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    auto_start: str = ""  # when the service starts by itself (优化服务要求), said instead of a new application

    def matches(self, text: str) -> bool:
        """Whether a finder entry fits: part of the name, pinyin initials (cjrz), an item code, the number."""
        text = text.strip()
        if not text:
            return True
        low = text.lower()
        return (text in self.name or any(i.startswith(low) for i in self.initials) or text == str(self.number)
                or any(text.upper() in item.code for item in self.items if item.code)
                or any(text in item.name for item in self.items) or any(text in k for k in self.keywords))

    @property
    def working_days(self) -> int | None:
        return self.time_limit.get("working_days")

    @property
    def calendar_days(self) -> int | None:
        """A statutory limit counted in calendar days (日), e.g. 居住证 15日, 法律援助 7日."""
        return self.time_limit.get("calendar_days")

    @property
    def limit_words(self) -> str:
        """The time limit as printed for the citizen: a number of days, the catalog's basis, or what the hall can promise."""
        if self.working_days:
            return f"{self.working_days}个工作日"
        if self.calendar_days:
            return f"{self.calendar_days}日（自然日）"
        return self.time_limit.get("basis") or UNKNOWN_LIMIT

    @property
    def must_appear(self) -> bool:
        return bool(self.proxy.get("must_appear"))

    def material(self, material_id: str) -> Material:
        for material in self.materials:
            if material.id == material_id:
                return material
        raise KeyError(material_id)


@dataclass(frozen=True)
class Catalog:
    """All services and questions; `groups` keeps the table's order of the seven groups."""

    services: dict[int, Service]
    questions: dict[str, Question]
    groups: tuple[str, ...]
    version: str = ""  # set in resources/catalog/catalog.toml; "" for a build older than versioning
    hash: str = ""  # content_hash() of the build: the catalog's identity on desks and hub (docs/catalog.md)

    def service(self, number: int | str) -> Service:
        try:
            return self.services[int(number)]
        except (KeyError, ValueError):
            raise _no_service(number) from None


def load(path: Path | None = None) -> Catalog:
    """The catalog at `path` (default: the bundled data/catalog.sqlite), loaded once per process."""
    return _load(str(path or paths.catalog_db_path()))


@functools.lru_cache(maxsize=16)  # the active catalog and the few older ones cases still use
def _load(path: str) -> Catalog:
    existing(Path(path))
    conn = connect_read_only(Path(path).resolve())
    conn.row_factory = sqlite3.Row
    try:
        questions = {r["id"]: _question(r) for r in conn.execute("SELECT * FROM questions ORDER BY position")}
        parts = {table: _by_service(conn, table) for table in ("items", "eligibility", "materials", "links")}
        services = {r["number"]: _service(r, parts) for r in conn.execute("SELECT * FROM services ORDER BY number")}
        meta = read_meta(conn)
    finally:
        conn.close()
    groups = tuple(dict.fromkeys(s.group for s in services.values()))
    return Catalog(services=services, questions=questions, groups=groups, version=meta.get("version", ""),
                   hash=meta.get("hash", ""))


def content_hash(conn: sqlite3.Connection, version: str) -> str:
    """sha256 of a canonical serialisation of every table but `meta` (columns, then rows sorted), with the
    version: the same source gives the same hash whatever bytes SQLite wrote, and a desk recomputes it from
    the file it received (the file's own bytes are not reproducible across SQLite versions)."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
                                        " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    tables = {}
    for name in names:
        cursor = conn.execute(f'SELECT * FROM "{name}"')
        rows = sorted(json.dumps(list(r), ensure_ascii=False) for r in cursor)
        tables[name] = {"columns": [d[0] for d in cursor.description], "rows": rows}
    text = json.dumps({"version": version, "tables": tables}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    import hashlib  # only building and checking a catalog hash: not for every command that reads one

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tuple(text: str) -> tuple:
    """A JSON list column as a tuple; most are empty, and json.loads costs a catalog load ≈5 ms (issue 16)."""
    return () if text == "[]" else tuple(json.loads(text))


def _question(r: sqlite3.Row) -> Question:
    return Question(
        id=r["id"], text=r["text"], type=r["type"], options=_tuple(r["options"]),
        min=r["min"], max=r["max"], help=r["help"], source=r["source"], inferred=bool(r["inferred"]),
        sensitive=r["sensitive"],
    )


def load_service(path: Path, number: int | str) -> Service:
    """One service of the catalog at `path`, built from its own rows as load() builds it (the same Service), for
    a command that shows one case: parsing the whole catalog was a third of `case show`'s own cost (issue 16)."""
    existing(Path(path))
    conn = connect_read_only(Path(path).resolve())
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM services WHERE number = ?", [_number(number)]).fetchone()
        if row is None:
            raise _no_service(number)
        parts = {table: _by_service(conn, table, row["number"]) for table in ("items", "eligibility", "materials",
                                                                              "links")}
        return _service(row, parts)
    finally:
        conn.close()


def _number(number: int | str) -> int | None:
    try:
        return int(number)
    except ValueError:
        return None


def _no_service(number: int | str) -> DeskError:
    return DeskError(f"没有编号为“{number}”的一件事（可用 catalog list 查看）", field="service")


def _by_service(conn: sqlite3.Connection, table: str, number: int | None = None) -> dict[int, list[sqlite3.Row]]:
    """A table's rows per service (or of service `number`), in position order: one query per table, not one per
    service and table."""
    rows: dict[int, list[sqlite3.Row]] = {}
    where, params = ("WHERE service = ? ", [number]) if number is not None else ("", [])
    for row in conn.execute(f"SELECT * FROM {table} {where}ORDER BY service, position", params):
        rows.setdefault(row["service"], []).append(row)
    return rows


def _service(r: sqlite3.Row, parts: dict[str, dict[int, list[sqlite3.Row]]]) -> Service:
    number = r["number"]

    def _rows(table: str) -> list[sqlite3.Row]:
        return parts[table].get(number, [])

    items = tuple(
        Item(code=i["code"], name=i["name"], name_as_printed=i["name_as_printed"],
             applies_when=i["applies_when"], working_days=i["working_days"])
        for i in _rows("items")
    )
    rules = tuple(
        Rule(id=e["id"], rule=e["rule"], fail=e["fail"], items=_tuple(e["items"]),
             source=e["source"], inferred=bool(e["inferred"]), source_note=e["source_note"])
        for e in _rows("eligibility")
    )
    materials = tuple(
        Material(id=m["id"], name=m["name"], need=m["need"], when=m["when_rule"], form=m["form"],
                 copies=m["copies"], note=m["note"], items=_tuple(m["items"]),
                 source=m["source"], inferred=bool(m["inferred"]), source_note=m["source_note"],
                 tolerable=bool(m["tolerable"]))
        for m in _rows("materials")
    )
    links = tuple(
        Link(service=k["target"], when=k["when_rule"], reason=k["reason"], source=k["source"],
             inferred=bool(k["inferred"]), source_note=k["source_note"], auto=bool(k["auto"]),
             excludes=bool(k["excludes"]))
        for k in _rows("links")
    )
    return Service(
        number=number, group=r["group_name"], name=r["name"], requirement=r["requirement"],
        departments=_tuple(r["departments"]), level=r["level"],
        methods=_tuple(r["methods"]), items=items, ask=_tuple(r["ask"]),
        eligibility=rules, materials=materials, links=links, time_limit=json.loads(r["time_limit"]),
        proxy=json.loads(r["proxy"]), sources=_tuple(r["sources"]),
        initials=_tuple(r["initials"]), keywords=_tuple(r["keywords"]),
        consent=json.loads(r["consent"]), auto_start=r["auto_start"] or "",
    )


def printable_texts(service: Service) -> list[tuple[str, str]]:
    """(where, text) for every catalog text of a service that may reach paper or a citizen's screen."""
    s = service
    texts = [("requirement", s.requirement), ("time_limit.note", s.time_limit.get("note", "")),
             ("auto_start", s.auto_start),
             ("time_limit.basis", s.time_limit.get("basis", "")), ("proxy.appear_note", s.proxy.get("appear_note", ""))]
    texts += [(f"items[{i.key}].name", i.name) for i in s.items]
    texts += [(f"eligibility[{r.id}].fail", r.fail) for r in s.eligibility]
    texts += [(f"materials[{m.id}].{k}", v) for m in s.materials for k, v in (("name", m.name), ("note", m.note),
                                                                            ("form", m.form))]
    texts += [(f"links[{k.service}].reason", k.reason) for k in s.links]
    return [(where, text) for where, text in texts if text]


def editorial_marks(text: str) -> list[str]:
    """What in `text` is meant for the catalog's editors, not the citizen (empty when it may be printed)."""
    return [m.group(0) for m in _editorial().finditer(text)]


@functools.cache
def _editorial() -> re.Pattern[str]:
    return re.compile(EDITORIAL)


def service_summary(service: Service) -> dict[str, Any]:
    """The stable JSON shape of `catalog list --json` (documented in docs/json.md)."""
    return {
        "number": service.number,
        "group": service.group,
        "name": service.name,
        "items": [{"code": i.code or None, "name": i.name} for i in service.items],
        "departments": list(service.departments),
        "level": service.level,
        "methods": list(service.methods),
        "working_days": service.working_days,
    }
