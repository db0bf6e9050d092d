"""State slips of the local 帮代办 standards (domain.md §3: 中止单, 续办委托书, 办结单, 终止单).

Each reads the reason and the date from the case's timeline (`events`), which the caller passes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.domain import workdays
from desktop.domain.case import DELIVERY, STATES
from desktop.domain.errors import ValidationError
from desktop.forms import layout
from desktop.forms.layout import BODY, SECTION, fields, gap, para
from desktop.forms.parts import (
    Context,
    clerk_text,
    delivery_text,
    guardian_rows,
    header,
    id_text,
    items_table,
    proxy_row,
    received_table,
)

TITLES = {"suspend": "代办服务中止单", "resume": "代办服务续办单", "completed": "代办服务办结单",
          "terminated": "代办服务终止单"}


def document(ctx: Context, *, kind: str, **_) -> tuple[str, list]:
    if kind == "close":
        if ctx.case.state not in ("completed", "terminated"):
            raise ValidationError(f"案件现为{ctx.case.state_label}，尚未办结或终止，不能打印办结（终止）单", field="state")
        kind = ctx.case.state
    event = _event(ctx, {"suspend": "suspend", "resume": "resume", "completed": "complete",
                         "terminated": "terminate"}[kind])
    body = {"suspend": suspend, "resume": resume, "completed": completed, "terminated": terminated}[kind]
    title = TITLES[kind]
    return title, [*header(ctx, title), gap(1.5), fields(_people(ctx)), *body(ctx, event)]


def _event(ctx: Context, kind: str) -> dict[str, Any]:
    event = ctx.last_event(kind)
    if event is None:
        label = {"suspend": "中止", "resume": "续办", "complete": "办结", "terminate": "终止"}[kind]
        raise ValidationError(f"该案件的办理记录中没有“{label}”，不能打印{label}单", field="events")
    return event


def _people(ctx: Context) -> list[list[str]]:
    a = ctx.case.applicant
    return [["申请人", a.name, "身份证号", id_text(a.id_number)], *guardian_rows(ctx.case), proxy_row(ctx.case),
            ["一件事", ctx.service.name], ["当前状态", ctx.case.state_label, "受理人", clerk_text(ctx.case)]]


def _reason(event: dict[str, Any]) -> str:
    return (event.get("detail") or {}).get("reason") or "（未填写）"


def _sign(first: str = "委托人（或监护人）签字：") -> list:
    """Both parties and the office sign; the office's seal goes beside its signature."""
    return [layout.signatures([(first, layout.date_blank()), ("受托人（代办人）签字：", layout.date_blank()),
                               ("受理单位经办人签字：", layout.date_blank())]),
            para("（单位印章）", layout.SIGN_R)]


def suspend(ctx: Context, event: dict[str, Any]) -> list:
    before = ctx.case.state_before_suspension or ""
    rows = [["中止日期", layout.fmt_time(event["at"]), "中止前状态", STATES.get(before, before or "—")],
            ["剩余办理时限", _remaining(ctx, event)], ["中止原因", _reason(event)]]
    return [para("【中止事项】", SECTION), items_table(ctx, with_due=False), gap(1), fields(rows),
            para("中止期间不计入承诺办理时限。中止原因消除后，凭本单到受理窗口或联系代办人办理续办，"
                 "剩余时限自续办之日起继续计算。", SECTION), *_sign()]


def _remaining(ctx: Context, event: dict[str, Any]) -> str:
    """What is left of each item's limit on the day it stopped; it runs on from the day of 续办."""
    stopped = dt.date.fromisoformat(event["at"][:10])
    left = [f"{i.name}：{workdays.remaining_text(stopped, dt.date.fromisoformat(i.due_date), calendar=bool(i.calendar_days and not i.working_days))}"
            for i in ctx.case.items if i.due_date]
    return "；".join(left) + "（自续办之日起继续计算）" if left else "材料补齐或续办后起算"


def resume(ctx: Context, event: dict[str, Any]) -> list:
    suspended = ctx.last_event("suspend")
    start = dt.date.fromisoformat(suspended["at"][:10]) if suspended else None
    end = dt.date.fromisoformat(event["at"][:10])
    paused = workdays.working_days_between(start, end) if start else None
    rows = [["中止日期", layout.fmt_date(start) or "—", "续办日期", layout.fmt_date(end)],
            ["中止工作日", f"{paused}个工作日（不计入办理时限）" if paused is not None else "—"],
            ["中止原因", _reason(suspended) if suspended else "—"]]
    return [fields(rows), para("【续办事项及调整后的预计办结日期】", SECTION), items_table(ctx),
            para("委托人同意受托人继续代为办理上述事项，原《代办服务委托书》约定的权限和义务继续有效。", SECTION), *_sign()]


def completed(ctx: Context, event: dict[str, Any]) -> list:
    statuses = {STATES.get(i.status, i.status) for i in ctx.case.items}
    result = (event.get("detail") or {}).get("reason") or (
        f"上列{len(ctx.case.items)}个事项均{statuses.pop()}" if len(statuses) == 1 else "见上表各事项状态")
    rows = [["办结日期", layout.fmt_time(event["at"])], ["办理结果", result],
            ["结果送达方式", "　".join(f"{'☑' if delivery_text(ctx.case) == v else '☐'} {v}" for v in DELIVERY.values())]]
    return [para("【办结事项】", SECTION), items_table(ctx, with_due=False, status=True), gap(1), fields(rows),
            para("委托人确认已知悉办理结果、已收到相关证件或材料；上述事项已办结，本次代办委托关系自动终止。"
                 "如对办理结果有异议，可向承办部门咨询或拨打12345政务服务便民热线。", SECTION),
            *_sign("委托人（或监护人）确认签字：")]


def terminated(ctx: Context, event: dict[str, Any]) -> list:
    rows = [["终止日期", layout.fmt_time(event["at"])], ["终止原因", _reason(event)]]
    return [para("【终止事项】", SECTION), items_table(ctx, with_due=False, status=True), gap(1), fields(rows),
            para("【退还材料】已收取的下列材料原件已退还委托人（请逐项核对）：", SECTION),
            *received_table(ctx, extra="已退还（签字）", originals_only=True),
            para("上述事项终止办理，本次代办委托关系同时终止。委托人可在具备条件后重新申请。", BODY), *_sign()]
