"""The recovery key paper (数据恢复密钥单): printed once when a data dir is encrypted, kept in the office's safe.

It carries the key twice: in groups of four characters to type, and as a QR code (the same text) to scan.
Nothing else on it is secret; it names the device and the date so the right paper is found for a laptop.
"""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from desktop.forms import fonts

TITLE = "工作台数据恢复密钥单"
NOTES = (
    "本单用于本机数据的加密恢复：工作人员忘记密码、或管理员不在时，凭本单解锁本机数据并设置新密码。",
    "请将本单封存于办公室保险柜，不得拍照、复印或随电脑携带；恢复时的每次使用都记入审计记录。",
    "本单只打印这一次。如本单遗失，请立即由管理员重新生成恢复密钥并打印新单，旧单随之作废。",
)


def render(code: str, *, device: str, made_at: str, by: str) -> bytes:
    """The paper as PDF bytes."""
    fonts.ensure_registered()
    font = fonts.MAIN  # the main face, registered by name (the chain registers the others when needed)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(TITLE)
    width, height = A4
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 30 * mm, TITLE)
    for n, line in enumerate((f"设备：{device}", f"生成时间：{made_at}", f"生成人：{by}")):
        _text(pdf, 25 * mm, height - (45 + 7 * n) * mm, line, 11)
    pdf.setFont("Courier-Bold", 20)
    groups = code.split("-")
    for row in range(0, len(groups), 4):
        pdf.drawCentredString(width / 2, height - (80 + 3 * row) * mm, "  ".join(groups[row:row + 4]))
    _qr(pdf, code, width / 2 - 30 * mm, height - 170 * mm, 60 * mm)
    pdf.setFont(font, 10)
    for n, line in enumerate(NOTES):
        pdf.drawString(20 * mm, height - (185 + 7 * n) * mm, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _text(pdf: canvas.Canvas, x: float, y: float, text: str, size: float) -> None:
    """One line in the font chain's runs, so a rare character of a name (䶮, 𠈌) prints or stops the print."""
    for face, part in fonts.runs(text, "恢复密钥单"):
        pdf.setFont(face, size)
        pdf.drawString(x, y, part)
        x += pdf.stringWidth(part, face, size)


def _qr(pdf: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)
