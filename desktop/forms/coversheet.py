"""Material cover sheets: one page per case and material, laid on the papers before scanning.

The scanner intake splits a batch where it finds a cover sheet's QR code. The QR payload is
COVER_FORMAT, e.g. ``YJS1|439901-W03-20261127-0001|hukou_book``: a version tag, the case number and the
catalog's material id (``[a-z][a-z0-9_]*``), separated by ``|``. Build it with cover_payload() and read it
with parse_cover_payload(); a future layout gets a new tag (YJS2) so old sheets still parse.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from desktop.domain.case import RECEIVED
from desktop.domain.errors import ValidationError

COVER_TAG = "YJS1"
COVER_FORMAT = "YJS1|<case number>|<material id>"
_PAYLOAD = re.compile(r"^YJS1\|([0-9A-Z][0-9A-Z-]{0,63})\|([a-z][a-z0-9_]{0,63})$")


class CoverPayload(NamedTuple):
    """What a cover sheet's QR code says: which case, which material."""

    case_number: str
    material_id: str


def cover_payload(case_number: str, material_id: str) -> str:
    """The QR text of a cover sheet; ValueError if either part could not be parsed back."""
    payload = f"{COVER_TAG}|{case_number}|{material_id}"
    if parse_cover_payload(payload) is None:
        raise ValueError("case number or material id not fit for a cover sheet payload")
    return payload


def parse_cover_payload(text: str) -> CoverPayload | None:
    """The case number and material id of a cover sheet's QR text, or None if it is not one of ours."""
    match = _PAYLOAD.match(text.strip())
    return CoverPayload(match[1], match[2]) if match else None


def document(ctx, *, material: str | None = None, **_) -> tuple[str, list]:
    """Cover sheets for one material, or one page for each material received."""
    from reportlab.platypus import PageBreak


    if material:
        chosen = [ctx.material(material)]
    else:
        chosen = [m for m, _kind, _count in ctx.received()]
        if not chosen:
            raise ValidationError("该案件还没有收取任何材料，请用 --material 指定要打印封面的材料", field="material")
    story: list = []
    for n, m in enumerate(chosen, start=1):
        story += ([PageBreak()] if story else []) + _page(ctx, m, n, len(chosen))
    return "材料封面", story


def _page(ctx, material, index: int, total: int) -> list:
    from reportlab.lib.units import mm

    from desktop.forms import layout
    from desktop.forms.layout import CONTENT_W, fields

    c = ctx.case
    kind = c.materials.get(material.id)
    received = f"{RECEIVED.get(kind.received, kind.received)}{kind.count}份" if kind and kind.received \
        else "（未登记收取）"
    qr_size = 95 * mm
    return [
        layout.Line("材 料 封 面", 22, space_after=2),
        layout.Line("扫描前放在该份材料最上面 · 请勿折叠、遮挡二维码", 10, bold=False, space_after=8),
        layout.para(material.name, layout.TITLE_WRAP),
        layout.gap(4),
        layout.qr(cover_payload(ctx.number, material.id), qr_size, center=True),
        layout.Line(ctx.number, 16, bold=False, space_before=4, space_after=10),
        # the material's catalog id stays in the QR code only: the printed text is for people (issue 12)
        fields([["受理编号", ctx.number], ["材料名称", material.name],
                ["收取情况", received, "份次", f"第 {index} 份，共 {total} 份"],
                ["一件事", ctx.service.name], ["申请人", c.applicant.name]],
               widths=(24 * mm, (CONTENT_W - 48 * mm) / 2, 24 * mm)),
    ]
