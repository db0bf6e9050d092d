"""好差评 and 回访 as plain data: the five levels, the reasons a 差评 gives, a rating and a return visit.

The levels are 国办发〔2019〕51号's; the reasons follow the usual national platform's list of 差评 options
(reference/window.md; the exact wording for Hunan is still to verify) and always allow free text.
A rating and a return visit travel inside the case's payload, so they sync like any other change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
}
# the columns of the ratings totals, on the ledger's paper and in its XLSX
TOTALS_HEAD = ["经办人", "一件事", "评价", *LEVELS.values(), "满意率", "已整改", "待整改", "其中超期"]
BAD = ("dissatisfied", "very_dissatisfied")  # 差评: reason required, 整改 and 回访 follow
REASONS = {
    "runs": "多次跑动、反复跑腿",
    "materials": "材料重复提交或要求不清",
    "waiting": "等候时间长",
    "slow": "办理时间长或超过承诺时限",
    "guidance": "办事指南或政策解释不清楚",
    "attitude": "工作人员服务态度差",
    "skill": "工作人员业务不熟练",
    "fees": "乱收费或要求额外费用",
    "other": "其他",
}
CHANNELS = {"screen": "窗口评价屏", "paper": "书面评价表", "qr": "扫码评价"}
VISIT_REASONS = {"completed": "办结回访", "bad_rating": "差评回访"}
RECTIFY_WORKING_DAYS = 15  # 差评 verified, rectified and fed back within 15 working days (window.md: verify for Hunan)
NOTE_LIMIT = 200


@dataclass(repr=False)  # its reasons and note are the citizen's words: never in a log through a repr
class Rating:
    """One 一次一评 rating of a case; a 差评 carries reasons and opens a 整改 due by `rectify_due`."""

    level: str
    rated_at: str
    channel: str = "screen"
    clerk: str = ""
    reasons: list[str] = field(default_factory=list)
    note: str = ""
    rectify_due: str | None = None
    rectified_at: str | None = None
    rectified_by: str = ""
    rectify_result: str = ""

    @property
    def is_bad(self) -> bool:
        return self.level in BAD


@dataclass(repr=False)  # its notes are what the citizen said
class Visit:
    """A return visit (回访) done by phone or in person: reached or not, satisfied or not, notes."""

    reason: str
    due_date: str
    done_at: str | None = None
    by: str = ""
    reached: bool = False
    satisfied: bool | None = None
    notes: str = ""


def check_rating(level: str, reasons: list[str], note: str) -> list[str]:
    """Why a rating cannot be stored (Chinese, naming the field); empty when it can."""
    errors = []
    if level not in LEVELS:
        errors.append(f"评价等级：“{level}”不是五个等级之一")
    if level in BAD and not reasons and not note.strip():
        errors.append("差评原因：不满意时请至少选一项原因或写几句话")
    errors += [f"差评原因：未知原因“{r}”" for r in reasons if r not in REASONS]
    if len(note) > NOTE_LIMIT:
        errors.append(f"评价意见：最多{NOTE_LIMIT}字")
    return errors


def rating_text(r: Rating) -> str:
    """One line for the case view and `case show`: level, channel, reasons, note, 整改."""
    text = f"{r.rated_at[:16].replace('T', ' ')} {LEVELS.get(r.level, r.level)}（{CHANNELS.get(r.channel, r.channel)}）"
    if r.reasons or r.note:
        text += "：" + "、".join([REASONS.get(k, k) for k in r.reasons] + ([r.note] if r.note else []))
    if r.rectified_at:
        text += f"；已整改（{r.rectified_at[:10]}）：{r.rectify_result}"
    elif r.rectify_due:
        text += f"；待整改，期限 {r.rectify_due}"
    return text


def visit_text(v: Visit) -> str:
    outcome = ("满意" if v.satisfied else "不满意") if v.reached else "未联系上"
    return (f"{(v.done_at or '')[:16].replace('T', ' ')} {VISIT_REASONS.get(v.reason, v.reason)}：{outcome}"
            + (f"，{v.notes}" if v.notes else ""))
