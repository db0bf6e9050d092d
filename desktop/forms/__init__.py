"""Printed forms: plain case data in, PDF bytes out (reportlab; no Qt, no database).

The one entry point the desk and the command line call::

    from desktop import forms
    pdf: bytes = forms.render(kind, case, catalog, office_info=forms.OfficeInfo.from_settings(values),
                              reprint=False, material=None, events=store.events(case.uuid),
                              printed_at=None)

`kind` is one of KINDS:

- ``receipt``  受理回执: citizen's copy and office stub (QR of the case number), masked ID numbers.
- ``consent``  代办服务委托书 with the separate consent to personal/sensitive information, and for
  低保 (13) and 特困 (14) the 家庭经济状况查询核对授权书 page. Only for cases applied for by proxy.
  The principal's ID is masked only when ``office_info.consent_mask_id`` (setting consent_mask_id=yes).
- ``notice``   一次性告知书: every missing material with what is needed, where to bring it, the deadline.
  Only while materials are missing (case.missing).
- ``cover``    material cover sheets, one page per material, with a QR of
  ``coversheet.cover_payload(number, material_id)`` (format COVER_FORMAT, parsed by parse_cover_payload);
  ``material=None`` gives one page per material received.
- ``suspend`` / ``resume`` / ``close``  中止单, 续办单, 办结单 or 终止单 (by the case's state); these read the
  reason and dates from ``events`` (store.events(uuid)), so pass them.

- ``rating``   政务服务评价表 (好差评 on paper, QR to ``office_info.rating_url``) where there is no rating screen.
- ``refusal``  不予受理通知书: the reason (from the timeline's ``refuse``), the conditions not met, the
  remedies (行政复议 60日 / 行政诉讼 6个月); only for a case the clerk refused.

``reprint=True`` prints 补打 on every page (the caller decides: desktop.forms.printing does it from the timeline).
``printed_at`` (default now) goes in the footer. Every string is checked against the bundled fonts first:
a character no font has raises desktop.domain.errors.ValidationError naming it and its code point, and nothing
is printed. Other bad input (a draft, no missing materials, an unknown material) raises ValidationError
with a Chinese message too. Rendering takes tens of milliseconds; the desk runs it off the UI thread.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from desktop.domain.case import Case
from desktop.domain.catalog import Catalog
from desktop.domain.errors import ValidationError
from desktop.forms.coversheet import COVER_FORMAT, cover_payload, parse_cover_payload
from desktop.forms.office import OfficeInfo

__all__ = ["KINDS", "COVER_FORMAT", "OfficeInfo", "render", "consent_digest", "paper_title", "cover_payload", "parse_cover_payload"]

KINDS = {
    "receipt": "受理回执",
    "consent": "代办服务委托书",
    "notice": "一次性告知书",
    "cover": "材料封面",
    "suspend": "中止单",
    "resume": "续办单",
    "close": "办结（终止）单",
    "refusal": "不予受理通知书",
    "rating": "政务服务评价表",
}
_MODULES = {"receipt": "receipt", "consent": "consent", "notice": "notice", "cover": "coversheet",
            "suspend": "slips", "resume": "slips", "close": "slips", "refusal": "refusal",
            "rating": "ratingslip"}


def warm() -> None:
    """Pay now what a process's first paper would: the main face parsed, the papers' code (reportlab.platypus with
    it) and the QR encoder imported, the faces' coverage read and the check's pattern compiled. The desk runs it on
    a thread once its window shows (desktop/ui/fonts.warm_printer): the first receipt after start then pays only
    its own layout (issue 16: < 300 ms). The first print raises any error of it again, where the clerk sees it."""
    from desktop.forms import fonts

    fonts.ensure_registered()
    for module in dict.fromkeys(_MODULES.values()):
        importlib.import_module(f"desktop.forms.{module}")
    importlib.import_module("reportlab.graphics.barcode.qrencoder")  # flowables._qr_path's, for every QR
    fonts.beyond_main()  # every string printed is checked against the main face's coverage by it


def paper_title(kind: str, case: Case, catalog: Catalog) -> str:
    """The paper's own title: a receipt is a 收件凭证 while required materials are missing (容缺受理 aside)."""
    from desktop.domain import eligibility

    if kind != "receipt" or not case.missing:
        return KINDS.get(kind, kind)
    tolerated = eligibility.tolerated(catalog.service(case.service), case.missing)
    return "受理回执（容缺受理）" if tolerated else "收件凭证"


def consent_digest(case: Case, catalog: Catalog) -> str:
    """The content digest of the 委托书 and its separate consent, as printed beside on-screen signatures."""
    from desktop.forms import consent, parts

    ctx = parts.Context(case=case, catalog=catalog, office=OfficeInfo(), reprint=False,
                        printed_at=dt.datetime.now().astimezone())
    return consent.content_digest(ctx)


def render(kind: str, case: Case, catalog: Catalog, *, office_info: OfficeInfo | None = None,
           reprint: bool = False, material: str | None = None, events: list[dict[str, Any]] | None = None,
           printed_at: dt.datetime | None = None, signatures: dict | None = None) -> bytes:
    """The PDF of document `kind` for `case`; raises ValidationError (Chinese) for anything unprintable.
    `signatures` ((part, signer) → forms.esign.Signature) go on the 委托书's signing lines."""
    from desktop.forms import fonts, layout, parts

    if kind not in KINDS:
        raise ValidationError(f"没有名为“{kind}”的文书，可用：{'、'.join(KINDS)}", field="kind")
    if not (kind == "consent" and case.state == "draft"):  # the 委托书 is signed during the wizard, before acceptance
        parts.require_number(case)
    fonts.ensure_registered()
    parts.check_people(case)
    ctx = parts.Context(case=case, catalog=catalog, office=office_info or OfficeInfo(), reprint=reprint,
                        printed_at=printed_at or dt.datetime.now().astimezone(), events=list(events or []),
                        signatures=dict(signatures or {}))
    module = importlib.import_module(f"desktop.forms.{_MODULES[kind]}")
    title, story = module.document(ctx, kind=kind, material=material)
    return layout.build(story, title=title, number=ctx.number, reprint=reprint, printed_at=ctx.printed_at,
                        signs=getattr(module, "PAGE_SIGNS", None))
