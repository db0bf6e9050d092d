"""The citizen's HTML pages, server-rendered: progress, rating, thanks and the plain 404. Every value escaped.

No script, no external resource, relative links only: the county's HTTPS gateway may put the hub under any
prefix and scheme, and a phone on a slow line gets one small page. Layout in one narrow column that wraps
long words, so nothing scrolls sideways at 390 px.
"""

from __future__ import annotations

from html import escape
from typing import Any

from desktop.domain import feedback

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222;background:#f3f5f7}
main{max-width:40rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}
h1{font-size:1.3rem;margin:.2rem 0 .8rem}
h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
.card{background:#fff;border-radius:8px;padding:.8rem 1rem;margin:.6rem 0;box-shadow:0 1px 2px #0002}
.state{font-size:1.2rem;font-weight:bold;color:#0a5}
.muted{color:#666;font-size:.9rem}
.warn{color:#b40}
ul{padding-left:1.2rem;margin:.3rem 0}
label.level{display:block;padding:.8rem;margin:.4rem 0;border:2px solid #ccd;border-radius:8px;background:#fff;
 font-size:1.1rem}
label.reason{display:block;padding:.35rem 0}
input[type=radio],input[type=checkbox]{width:1.3rem;height:1.3rem;vertical-align:middle;margin-right:.5rem}
textarea{width:100%;min-height:5rem;font:inherit;padding:.5rem}
button{width:100%;padding:.9rem;font-size:1.1rem;border:0;border-radius:8px;background:#0a5;color:#fff;margin:.8rem 0}
a.button{display:block;text-align:center;padding:.9rem;border-radius:8px;background:#0a5;color:#fff;
 text-decoration:none;font-size:1.1rem;margin:.8rem 0}
.error{color:#b00;font-weight:bold}
"""


def page(title: str, body: str) -> str:
    """A whole page around `body` (already escaped HTML)."""
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>")


def not_found() -> str:
    """The same page for an unknown code and any other miss: it says nothing about what exists."""
    return page("未找到", "<h1>未找到该页面</h1><p>请核对二维码或网址，或到受理窗口咨询。</p>")


def too_many() -> str:
    return page("请稍后再试", "<h1>访问过于频繁</h1><p>请稍后再试。</p>")


def progress(view: dict[str, Any]) -> str:
    """The case as the citizen may see it: `view` from hub/public.py (masked name, states, dates, no more)."""
    items = "".join(
        f"<li>{escape(i['name'])}：<b>{escape(i['status'])}</b>"
        + (f"<br><span class=\"muted\">预计办结：{escape(i['due'])}</span>" if i["due"] else "") + "</li>"
        for i in view["items"])
    parts = [f"<h1>{escape(view['service'])}</h1>",
             f"<div class=\"card\"><div class=\"muted\">申请人 {escape(view['name'])} · 受理日期 "
             f"{escape(view['accepted'])}</div><div class=\"state\">{escape(view['state'])}</div></div>",
             f"<h2>办理事项</h2><div class=\"card\"><ul>{items}</ul></div>"]
    if view["missing"]:
        parts.append("<h2>尚需补交的材料</h2><div class=\"card warn\"><ul>"
                     + "".join(f"<li>{escape(m)}</li>" for m in view["missing"]) + "</ul>"
                     + (f"<p>请于 {escape(view['deadline'])} 前补交。</p>" if view["deadline"] else "") + "</div>")
    if view["publicity"]:
        parts.append(f"<h2>公示</h2><div class=\"card\">{escape(view['publicity'])}</div>")
    if view["rated"]:
        parts.append("<p class=\"muted\">您已评价，感谢您的支持。</p>")
    else:
        parts.append("<a class=\"button\" href=\"" + escape(view["code"]) + "/rate\">评价本次服务</a>")
    parts.append(f"<p class=\"muted\">更新于 {escape(view['updated'])}。如有疑问请联系受理窗口。</p>")
    return page("办理进度", "".join(parts))


def rating_form(view: dict[str, Any], error: str = "", chosen: dict[str, Any] | None = None) -> str:
    """Five levels as large choices; reasons and a note for a 差评; posts to itself (a relative, empty action)."""
    chosen = chosen or {}
    levels = "".join(
        f"<label class=\"level\"><input type=\"radio\" name=\"level\" value=\"{k}\""
        f"{' checked' if chosen.get('level') == k else ''} required>{escape(v)}</label>"
        for k, v in feedback.LEVELS.items())
    reasons = "".join(
        f"<label class=\"reason\"><input type=\"checkbox\" name=\"reason\" value=\"{k}\""
        f"{' checked' if k in chosen.get('reasons', []) else ''}>{escape(v)}</label>"
        for k, v in feedback.REASONS.items())
    body = (f"<h1>政务服务评价</h1><div class=\"card\"><div>{escape(view['service'])}</div>"
            f"<div class=\"muted\">申请人 {escape(view['name'])} · 受理日期 {escape(view['accepted'])}</div></div>"
            + (f"<p class=\"error\">{escape(error)}</p>" if error else "")
            + "<form method=\"post\" action=\"\"><h2>总体评价</h2>" + levels
            + "<h2>不满意的原因</h2><p class=\"muted\">选“不满意”或“非常不满意”时，请至少选一项或写几句话。</p>"
            + reasons + f"<textarea name=\"note\" maxlength=\"{feedback.NOTE_LIMIT}\" placeholder=\"意见和建议（选填）\">"
            + escape(chosen.get("note", "")) + "</textarea><button type=\"submit\">提交评价</button></form>"
            + "<p class=\"muted\">评价自愿，每件事只能评价一次；工作人员不得干预您的评价。</p>")
    return page("政务服务评价", body)


def thanks(code: str, already: bool) -> str:
    """After a rating (or a second try): a link back to the progress page, relative to …/{code}/rate."""
    words = "这件事已经评价过了，每件事只能评价一次。" if already else "您的评价已提交，我们会认真改进。"
    return page("感谢您的评价", f"<h1>感谢您的评价</h1><p>{words}</p>"
                f"<p><a href=\"../{escape(code)}\">查看办理进度</a></p>")
