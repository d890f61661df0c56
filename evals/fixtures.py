"""Small documents the project renders itself, with known words: for tests and smoke runs.

(The labelled, varied generator for training and evaluation is `evals.samples`.)
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

INVOICE_LINES = [
    "ACME Industrial Supplies Ltd",
    "12 Harbour Road, Bristol BS1 4QA",
    "",
    "INVOICE",
    "Invoice number: INV-20417",
    "Date: 2026-03-14",
    "",
    "Description            Qty    Amount",
    "Steel brackets          40    320.00",
    "Hydraulic pump           1    845.50",
    "",
    "Total due: EUR 1165.50",
    "Payment within 30 days. Thank you for your business.",
]

PAGE_PX = (1240, 1754)  # A4 at 150 dpi


def render_page(
    lines: list[str], size: tuple[int, int] = PAGE_PX, font_px: int = 30
) -> Image.Image:
    """A clean grayscale page with one text line per entry."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=font_px)
    y = 120
    for line in lines:
        if line:
            draw.text((110, y), line, fill=0, font=font)
        y += int(font_px * 1.6)
    return image


def png_bytes(lines: list[str] = INVOICE_LINES) -> bytes:
    buf = io.BytesIO()
    render_page(lines).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_bytes(lines: list[str] = INVOICE_LINES) -> bytes:
    buf = io.BytesIO()
    render_page(lines).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def tiff_bytes(pages: list[list[str]]) -> bytes:
    """A multi-page TIFF, one frame per page."""
    frames = [render_page(lines) for lines in pages]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:],
                   compression="tiff_deflate")
    return buf.getvalue()


def text_pdf_bytes(pages: list[list[str]]) -> bytes:
    """A born-digital PDF: every page has a text layer."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    for lines in pages:
        y = A4[1] - 72
        for line in lines:
            pdf.setFont("Helvetica", 12)
            pdf.drawString(72, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def scanned_pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF of page images only (no text layer), as a scanner makes."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    for lines in pages:
        pdf.drawImage(ImageReader(render_page(lines)), 0, 0, width=A4[0], height=A4[1])
        pdf.showPage()
    pdf.save()
    return buf.getvalue()
