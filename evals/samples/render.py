"""Draw a laid-out page twice: a noisy grayscale scan (PNG) and a born-digital PDF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from evals.samples.layout import PAGE_H, PAGE_W, Page, pil_font


def render_png(page: Page, path: Path, rng: np.random.Generator, dpi: int = 150,
               noise: bool = True) -> None:
    """A grayscale 'scan': slight rotation, blur, speckle and sensor noise when `noise`."""
    scale = dpi / 72
    image = Image.new("L", (round(PAGE_W * scale), round(PAGE_H * scale)), 255)
    draw = ImageDraw.Draw(image)
    ink = int(rng.integers(0, 60)) if noise else 0
    for rule in page.rules:
        draw.line([rule.x1 * scale, rule.y1 * scale, rule.x2 * scale, rule.y2 * scale],
                  fill=ink, width=max(1, round(rule.width * scale)))
    for run in page.runs:
        font = pil_font(page.family.bold if run.bold else page.family.regular,
                         round(run.size * scale))
        draw.text((run.x * scale, run.y * scale), run.text, font=font, fill=ink, anchor="ls")
    if noise:
        image = image.rotate(float(rng.uniform(-1.5, 1.5)), resample=Image.BICUBIC,
                             expand=False, fillcolor=255)
        if rng.random() < 0.5:
            image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 0.9))))
        pixels = np.asarray(image, dtype=np.float32)
        pixels += rng.normal(0, float(rng.uniform(2, 12)), pixels.shape)
        speckle = rng.random(pixels.shape) < float(rng.uniform(0, 0.002))
        pixels[speckle] = 0
        pixels[pixels > 215] = 255  # paper stays white: noise sits on the ink, files stay small
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    image.save(path, format="PNG", dpi=(dpi, dpi))


def render_pdf(page: Page, path: Path) -> None:
    """A born-digital PDF with a real text layer (reproducible: no timestamps)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    regular, bold = f"{page.family.name}", f"{page.family.name}-Bold"
    if regular not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(regular, str(page.family.regular)))
        pdfmetrics.registerFont(TTFont(bold, str(page.family.bold)))
    pdf = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1)
    for rule in page.rules:
        pdf.setLineWidth(rule.width)
        pdf.line(rule.x1, PAGE_H - rule.y1, rule.x2, PAGE_H - rule.y2)
    for run in page.runs:
        pdf.setFont(bold if run.bold else regular, run.size)
        pdf.drawString(run.x, PAGE_H - run.y, run.text)
    pdf.showPage()
    pdf.save()
