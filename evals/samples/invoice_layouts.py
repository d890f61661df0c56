"""Invoices in column layouts: labels and values in separate columns or rows, the seller's
block beside, above or below the buyer's. For testing and measuring layout pairing
(`agent.extraction.finders.pairs`) on documents whose truth we know.

Three layouts, each with its label wording drawn from several languages:
- `side`: a column of labels ('Invoice No.') with the values a column to their right, the
  seller top-left with VAT id and IBAN, the buyer top-right under 'Bill to';
- `header_row`: a row of labels over a row of values (customer, date, number, due date), the
  total under its label in a summary box on the right;
- `right_panel`: the buyer top-left, a panel of right-aligned labels and values on the right,
  the seller only in the footer, above its registration lines.
Not part of `evals.samples.CLASSES` (that generator's documents feed other benchmarks as they
are); written by `generate_column_invoices`.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import numpy as np

from evals.samples.layout import PAGE_H, PAGE_W, Page, Run, font_families, text_width
from evals.samples.render import render_pdf, render_png
from evals.samples.values import CURRENCIES, Values, fmt, line_items

LAYOUTS = ("side", "header_row", "right_panel")
NUMBER_LABELS = ["Invoice No.", "Invoice #", "Invoice number", "Rechnung Nr.",
                 "Rechnungsnummer", "Factuurnummer", "N° de facture", "Invoice No:"]
DATE_LABELS = ["Invoice date", "Date", "Rechnungsdatum", "Factuurdatum", "Date de facture",
               "Issue date", "Invoice Date:"]
TOTAL_LABELS = ["Total due", "Amount due", "Total", "Gesamtbetrag", "Te betalen", "Total TTC",
                "Balance due", "Grand total"]
BILL_TO = ["Bill to", "Invoice to", "Rechnungsadresse", "Factuuradres", "Customer"]


def _at(page: Page, x: float, y: float, text: str, size: float = 9.5, bold: bool = False,
        right: bool = False) -> None:
    """One run at (x, baseline y) in points; `right`: x is where the text ends."""
    if right:
        x -= text_width(page.family, text, size, bold)
    page.runs.append(Run(x, y, text, size, bold))
    page.lines.append(text)


def _block(page: Page, x: float, y: float, lines: list[str], size: float = 9.5,
           first_bold: bool = True) -> float:
    for i, line in enumerate(lines):
        _at(page, x, y + i * size * 1.4, line, size + (3 if i == 0 and first_bold else 0),
            bold=i == 0 and first_bold)
    return y + len(lines) * size * 1.4


def column_invoice(page: Page, v: Values, layout: str) -> dict:
    """Lay out one invoice in `layout`; returns its ground-truth fields."""
    r = v.rng
    currency, symbol = r.choice(CURRENCIES)
    vendor, customer = v.company(), v.company()
    number = f"{r.choice(['INV', 'RE', 'F'])}-{r.randint(2022, 2026)}-{r.randint(100, 99999)}"
    issued = v.day()
    due = issued + timedelta(days=r.choice([14, 30]))
    style = r.randint(0, 3)
    vat = f"VAT ID: {r.choice(['DE', 'NL', 'FR', 'GB'])}{r.randint(100000000, 999999999)}"
    iban = f"IBAN: DE{r.randint(10, 99)} {r.randint(1000, 9999)} {r.randint(1000, 9999)} " \
           f"{r.randint(1000, 9999)}"
    seller = [vendor, *v.address(), vat, iban]
    buyer = [r.choice(BILL_TO) + ":", customer, *v.address()]
    labels = (r.choice(NUMBER_LABELS), r.choice(DATE_LABELS), r.choice(TOTAL_LABELS))
    m, right = page.margin, PAGE_W - page.margin
    if layout == "side":
        _block(page, m, m + 10, seller)
        _block(page, 330, m + 10, buyer, first_bold=False)
        y = m + 150
        _at(page, m, y, r.choice(["INVOICE", "Invoice", "RECHNUNG"]), 18, bold=True)
        for label, value in ((labels[0], number), (labels[1], v.date_text(issued, style)),
                             ("Due date", v.date_text(due, style))):
            y += 16
            _at(page, m, y, label, bold=True)
            _at(page, m + 150, y, value)
    elif layout == "header_row":
        _block(page, m, m + 10, seller)
        _block(page, m, m + 120, buyer, first_bold=False)
        _at(page, right, m + 10, "INVOICE", 18, bold=True, right=True)
        y = m + 210
        cells = [("Customer", f"C-{r.randint(1000, 9999)}"), (labels[1],
                 v.date_text(issued, style)), (labels[0], number), ("Due date",
                 v.date_text(due, style))]
        for i, (label, value) in enumerate(cells):
            _at(page, m + i * 125, y, label, bold=True)
            _at(page, m + i * 125, y + 15, value)
        y += 15
    else:  # right_panel
        _block(page, m, m + 10, buyer, first_bold=False)
        _at(page, right, m + 10, "INVOICE", 20, bold=True, right=True)
        y = m + 40
        for label, value in ((labels[0], number), (labels[1], v.date_text(issued, style)),
                             ("Payment terms", "Net 30"), ("Due date", v.date_text(due,
                                                                                   style))):
            y += 16
            _at(page, 400, y, label + ("" if label.endswith(":") else ":"), right=True)
            _at(page, right, y, value, right=True)
        y += 40
    page.y = y + 20
    items, subtotal = line_items(page, v, symbol, r.randint(2, 6),
                                 ["Description", "Qty", "Unit price", "Amount"])
    rate = r.choice([0.0, 0.07, 0.19, 0.2, 0.21])
    tax = round(subtotal * rate, 2)
    total = round(subtotal + tax, 2)
    y = page.y + 18
    _at(page, 400, y, "Subtotal", right=True)
    _at(page, right, y, fmt(subtotal, symbol), right=True)
    _at(page, 400, y + 15, f"VAT {rate:.0%}", right=True)
    _at(page, right, y + 15, fmt(tax, symbol), right=True)
    if layout == "header_row":  # the total under its label, in a box of its own
        _at(page, right - 90, y + 45, labels[2], 11, bold=True)
        _at(page, right - 90, y + 60, fmt(total, symbol), 11, bold=True)
    else:
        _at(page, 400, y + 34, labels[2], 11, bold=True, right=True)
        _at(page, right, y + 34, fmt(total, symbol), 11, bold=True, right=True)
    if layout == "right_panel":  # the seller only in the footer, over its registration
        _block(page, m, PAGE_H - m - 60, seller, size=8)
    return {"vendor": vendor, "customer": customer, "invoice_number": number,
            "date": issued.isoformat(), "due_date": due.isoformat(), "currency": currency,
            "line_items": items, "subtotal": subtotal, "tax": tax, "total": total,
            "layout": layout, "labels": list(labels)}


def build_column_invoice(index: int, seed: int = 0,
                         layout: str | None = None) -> tuple[Page, dict]:
    rng = random.Random(f"papertrail-column-invoices:{seed}:{index}")
    page = Page(rng.choice(font_families()), margin=rng.choice([42.0, 56.0]))
    chosen = layout or LAYOUTS[index % len(LAYOUTS)]
    return page, column_invoice(page, Values(rng), chosen)


def generate_column_invoices(out: Path, n: int = 9, seed: int = 0, dpi: int = 150,
                             noise: bool = True) -> list[tuple[str, dict, Path, Path]]:
    """Write `n` invoices (layouts in turn) as `<id>.png`, `<id>.pdf` and `<id>.json` under
    `out`; returns (id, fields, png, pdf) per invoice."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(n):
        page, fields = build_column_invoice(index, seed)
        doc_id = f"invoice-columns-{seed}-{index:04d}"
        png, pdf = out / f"{doc_id}.png", out / f"{doc_id}.pdf"
        render_png(page, png, np.random.default_rng([seed, 99, index]), dpi=dpi, noise=noise)
        render_pdf(page, pdf)
        (out / f"{doc_id}.json").write_text(json.dumps(
            {"id": doc_id, "label": "invoice", "seed": seed, "font": page.family.name,
             "fields": fields, "text": "\n".join(page.lines)}, indent=2) + "\n")
        written.append((doc_id, fields, png, pdf))
    return written
