"""Signatures given on screen, placed on the paper: the image on the signing line, and under it the time and the
short digest of the content it was signed on (docs/devices.md). A signature whose digest no longer matches the
content (the case was edited after signing) is not printed: the line says so and stays blank for a pen.

The digest is sha256 over the paper's content fields as canonical JSON (the paper computes its fields:
`desktop/forms/consent.py` `content_digest`), shortened to 16 hex digits for print.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Image, Table, TableStyle

from desktop.domain.wording import local_time
from desktop.forms import layout
from desktop.forms.layout import CONTENT_W, SMALL, para

DIGEST_LEN = 16
MAX_H = 13 * mm


@dataclass(frozen=True)
class Signature:
    """One on-screen signature as the paper needs it: the PNG, when it was given, the digest it was given on."""

    png: bytes
    signed_at: str
    digest: str

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Signature:
        """From desktop/storage/esign.images(): detail with `png`, `at` and `digest`."""
        return cls(stored["png"], stored["at"], stored["digest"])


def digest(fields: dict[str, Any]) -> str:
    """The short content digest printed beside a signature."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:DIGEST_LEN]


def image(sig: Signature, max_w: float) -> Image:
    """The signature scaled into `max_w` × MAX_H, its proportions kept."""
    from PIL import Image as PilImage

    with PilImage.open(io.BytesIO(sig.png)) as im:
        w, h = im.size
    scale = min(max_w / w, MAX_H / h)
    flowable = Image(io.BytesIO(sig.png), width=w * scale, height=h * scale)
    flowable.hAlign = "LEFT"
    return flowable


def caption(sig: Signature) -> str:
    return f"电子签名 {local_time(sig.signed_at)}　内容摘要 {sig.digest}"


STALE = "（屏上签名后内容已修改，该签名已失效：请重新签署，或在此手写签字）"


def signed(sig: Signature | None, current: str, max_w: float) -> tuple[Any, Any] | None:
    """(image, caption) for a signature still valid for the `current` digest; a stale one is (None, STALE); None when there is no on-screen signature (the paper keeps its blank line)."""
    if sig is None:
        return None
    if sig.digest != current:
        return None, para(STALE, SMALL)
    return image(sig, max_w), para(caption(sig), SMALL)


def line(label: str, mark: tuple[Any, Any], *, line_w: float = 60 * mm) -> Table:
    """One signing line filled on screen: `label` ［image］ and the time and digest after it."""
    label_w = CONTENT_W - line_w - 72 * mm
    return Table([[layout.cell(label), mark[0] or "", mark[1]]], colWidths=[label_w, line_w, 72 * mm], hAlign="LEFT",
                 style=TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.6, layout.colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                   ("TOPPADDING", (0, 0), (-1, -1), 4),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
