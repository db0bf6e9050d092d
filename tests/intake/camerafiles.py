"""Synthetic document-camera frames: a white A4 page with dark rules, turned by a few degrees, on a dark mat."""

from __future__ import annotations

import io

RULE_ROWS = (0.25, 0.5, 0.75)  # where the page's horizontal rules are, as a share of its height


def page(width: int = 420) -> object:
    """An upright A4 page (PIL image) with three full-width black rules and a little 'text'."""
    from PIL import Image, ImageDraw

    height = round(width * 297 / 210)
    im = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(im)
    for share in RULE_ROWS:
        y = round(height * share)
        draw.rectangle((round(width * 0.08), y - 2, round(width * 0.92), y + 2), fill="black")
    for n in range(6):
        y = round(height * 0.08) + n * 12
        draw.rectangle((round(width * 0.1), y, round(width * (0.5 + n * 0.05)), y + 4), fill=(60, 60, 60))
    return im


def frame(angle: float = 8.0, size: tuple[int, int] = (1280, 960), offset: tuple[int, int] = (30, -10)) -> object:
    """The page turned by `angle` degrees (counter-clockwise) on a dark mat, a little off centre."""
    from PIL import Image

    mat = Image.new("RGB", size, (38, 40, 44))
    turned = page(round(size[1] * 0.62)).convert("RGBA").rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    x = (size[0] - turned.width) // 2 + offset[0]
    y = (size[1] - turned.height) // 2 + offset[1]
    mat.paste(turned, (x, y), turned)
    return mat


def frame_png(angle: float = 8.0, **kw) -> bytes:
    out = io.BytesIO()
    frame(angle, **kw).save(out, "PNG")
    return out.getvalue()
