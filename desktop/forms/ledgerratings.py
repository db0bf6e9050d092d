"""The ledger's 好差评与整改 section: ratings given in the ledger's date range, per clerk and service, with the
satisfaction rate and the 整改 done, open and overdue, and a 合计 row (desktop/ledger/ratings.py gives the rows)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from desktop.domain import catalog as catalog_mod, feedback
from desktop.forms import layout

HEAD = feedback.TOTALS_HEAD


def rows(result) -> list[list[str]]:
    """The table's rows as printed, the 合计 last; [] when nothing was rated in the range."""
    services = catalog_mod.load().services
    rs = result.ratings
    body = [_row(r.clerk or "—", services[r.service].name if r.service in services else f"一件事 {r.service}",
                 list(r.levels.values()), r.bad, (r.rectified, r.open, r.overdue)) for r in rs]
    if not body:
        return []
    levels = [sum(r.levels[k] for r in rs) for k in feedback.LEVELS]
    rectify = (sum(r.rectified for r in rs), sum(r.open for r in rs), sum(r.overdue for r in rs))
    return [*body, _row("合计", "", levels, sum(r.bad for r in rs), rectify)]


def _row(clerk: str, service: str, levels: list[int], bad: int, rectify: tuple[int, int, int]) -> list[str]:
    count = sum(levels)
    return [clerk, service, str(count), *map(str, levels), _rate(count, bad), *map(str, rectify)]


def _rate(count: int, bad: int) -> str:
    return f"{(count - bad) / count:.1%}" if count else "—"


def section(result, width: float) -> list:
    """The heading, what it covers, and the table (or one line saying there were none)."""
    scope = "全办理点（县级汇聚服务器）" if result.ratings_source == "hub" else "仅本机"
    title = f"好差评与整改（评价日期在上述日期范围内；{scope}）"
    found = rows(result)
    if not found:
        return [layout.gap(3), layout.para(title, layout.SECTION), layout.para("该日期范围内没有评价。", layout.SMALL)]
    fixed = [22 * mm, 0, 11 * mm, *[21 * mm] * len(feedback.LEVELS), 16 * mm, 14 * mm, 14 * mm, 16 * mm]
    fixed[1] = width - sum(fixed)
    table = layout.grid([HEAD, *found], fixed, header=True, style=layout.SMALL)
    table.setStyle([("ALIGN", (2, 1), (-1, -1), "RIGHT"), ("BACKGROUND", (0, -1), (-1, -1), layout.SHADE)])
    note = layout.para("满意率：非常满意、满意、基本满意占评价数的比例。差评（不满意、非常不满意）"
                       f"须在{feedback.RECTIFY_WORKING_DAYS}个工作日内核实整改并回访。", layout.SMALL)
    return [layout.gap(3), KeepTogether([layout.para(title, layout.SECTION), layout.gap(1), table]), note]
