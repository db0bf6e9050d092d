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
    title = TITLES[kind] if ctx.case.is_proxy else TITLES[kind].removeprefix("代办服务")  # 本人申请: no mandate
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


def _principal(ctx: Context) -> str:
    """Who the slip speaks to: the 委托人 of a proxy case, the 申请人 of one the person applied for."""
    return "委托人" if ctx.case.is_proxy else "申请人"


def _sign(ctx: Context, confirm: str = "") -> list:
    """Both parties (the applicant alone without a proxy) and the office sign; the seal beside the office."""
    proxy = [("受托人（代办人）签字：", layout.date_blank())] if ctx.case.is_proxy else []
    return [layout.signatures([(f"{_principal(ctx)}（或监护人）{confirm}签字：", layout.date_blank()), *proxy,
                               ("受理单位经办人签字：", layout.date_blank())]),
            para("（单位印章）", layout.SIGN_R)]


def suspend(ctx: Context, event: dict[str, Any]) -> list:
    before = _state_before(ctx, event)
    rows = [["中止日期", layout.fmt_time(event["at"]), "中止前状态", STATES.get(before, before or "—")],
            ["剩余办理时限", _remaining(ctx, event)], ["中止原因", _reason(event)]]
    return [para("【中止事项】", SECTION), items_table(ctx, with_due=False), gap(1), fields(rows),
            para("中止期间不计入承诺办理时限。中止原因消除后，凭本单到受理窗口"
                 + ("或联系代办人" if ctx.case.is_proxy else "") + "办理续办，剩余时限自续办之日起继续计算。", SECTION),
            *_sign(ctx)]


def _state_before(ctx: Context, event: dict[str, Any]) -> str:
    """The state the case left for 中止: the case keeps it only while suspended, the timeline for ever."""
    if ctx.case.state == "suspended" and ctx.case.state_before_suspension:
        return ctx.case.state_before_suspension
    earlier = ctx.events[:ctx.events.index(event)]
    return next((s for e in reversed(earlier) if (s := (e.get("detail") or {}).get("state"))), "")


def _resumed(ctx: Context, event: dict[str, Any]) -> dict[str, Any] | None:
    """The 续办 that ended this 中止, if the case has been resumed since."""
    return next((e for e in ctx.events[ctx.events.index(event) + 1:] if e["kind"] == "resume"), None)


def _remaining(ctx: Context, event: dict[str, Any]) -> str:
    """What is left of each item's limit on the day it stopped; it runs on from the day of 续办.

    Once resumed, the due dates have moved by the days suspended: what is left is counted from the 续办 day."""
    resumed = _resumed(ctx, event)
    stopped = dt.date.fromisoformat((resumed or event)["at"][:10])
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
    mandate = [para("委托人同意受托人继续代为办理上述事项，原《代办服务委托书》约定的权限和义务继续有效。", SECTION)]
    return [fields(rows), para("【续办事项及调整后的预计办结日期】", SECTION), items_table(ctx),
            *(mandate if ctx.case.is_proxy else []), *_sign(ctx)]


def completed(ctx: Context, event: dict[str, Any]) -> list:
    statuses = {STATES.get(i.status, i.status) for i in ctx.case.items}
    result = (event.get("detail") or {}).get("reason") or (
        f"上列{len(ctx.case.items)}个事项均{statuses.pop()}" if len(statuses) == 1 else "见上表各事项状态")
    rows = [["办结日期", layout.fmt_time(event["at"])], ["办理结果", result],
            ["结果送达方式", "　".join(f"{'☑' if delivery_text(ctx.case) == v else '☐'} {v}" for v in DELIVERY.values())]]
    return [para("【办结事项】", SECTION), items_table(ctx, with_due=False, status=True), gap(1), fields(rows),
            para(f"{_principal(ctx)}确认已知悉办理结果、已收到相关证件或材料；上述事项已办结"
                 + ("，本次代办委托关系自动终止" if ctx.case.is_proxy else "")
                 + "。如对办理结果有异议，可向承办部门咨询或拨打12345政务服务便民热线。", SECTION),
            *_sign(ctx, "确认")]


def terminated(ctx: Context, event: dict[str, Any]) -> list:
    rows = [["终止日期", layout.fmt_time(event["at"])], ["终止原因", _reason(event)]]
    return [para("【终止事项】", SECTION), items_table(ctx, with_due=False, status=True), gap(1), fields(rows),
            para(f"【退还材料】已收取的下列材料原件已退还{_principal(ctx)}（请逐项核对）：", SECTION),
            *received_table(ctx, extra="已退还（签字）", originals_only=True),
            para("上述事项终止办理" + ("，本次代办委托关系同时终止" if ctx.case.is_proxy else "")
                 + f"。{_principal(ctx)}可在具备条件后重新申请。", BODY), *_sign(ctx)]
