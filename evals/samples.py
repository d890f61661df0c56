"""Labelled sample business documents of our own, rendered as PNG and PDF with ground truth.

Each document is laid out once (a list of positioned text runs and rules on an A4 page, in
points) and drawn twice: with Pillow into a noisy grayscale scan (PNG) and with reportlab into a
born-digital PDF. Beside them, `<id>.json` holds the label, the ground-truth fields and the
text as laid out; `<id>.txt` (optional) holds just that text. Everything is deterministic for a
given seed. These documents feed tests, the demo bundle and extraction checks; they are not a
substitute for real data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

CLASSES = (
    "invoice", "receipt", "purchase_order", "bank_statement", "contract", "letter", "memo",
    "resume",
)
FORMATS = ("png", "pdf", "txt")
PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points


# -- fonts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: Path
    bold: Path


def _reportlab_fonts() -> Path:
    import reportlab

    return Path(reportlab.__file__).parent / "fonts"


@cache
def font_families() -> tuple[FontFamily, ...]:
    """TrueType families available here: reportlab's bundled Vera always, DejaVu when installed."""
    rl = _reportlab_fonts()
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    candidates = [
        FontFamily("Vera", rl / "Vera.ttf", rl / "VeraBd.ttf"),
        FontFamily("DejaVuSans", dejavu / "DejaVuSans.ttf", dejavu / "DejaVuSans-Bold.ttf"),
        FontFamily("DejaVuSerif", dejavu / "DejaVuSerif.ttf", dejavu / "DejaVuSerif-Bold.ttf"),
        FontFamily("DejaVuMono", dejavu / "DejaVuSansMono.ttf",
                   dejavu / "DejaVuSansMono-Bold.ttf"),
    ]
    return tuple(f for f in candidates if f.regular.is_file() and f.bold.is_file())


@cache
def _pil_font(path: Path, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size=size)


def text_width(family: FontFamily, text: str, size: float, bold: bool = False) -> float:
    """Width in points (a font loaded at `size` px measures in the same unit)."""
    return _pil_font(family.bold if bold else family.regular, 100).getlength(text) * size / 100


# -- layout --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    x: float
    y: float  # baseline, from the top of the page
    text: str
    size: float
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.8


@dataclass
class Page:
    """A flowing writer over one A4 page; lines that would overflow the page are dropped."""

    family: FontFamily
    margin: float = 56.0
    y: float = 0.0
    runs: list[Run] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.y = self.margin

    @property
    def full(self) -> bool:
        return self.y > PAGE_H - self.margin

    def text(self, text: str, size: float = 10, bold: bool = False, align: str = "left",
             indent: float = 0.0, gap: float = 1.35) -> None:
        if self.full:
            return
        self.y += size * gap
        width = text_width(self.family, text, size, bold)
        if align == "center":
            x = (PAGE_W - width) / 2
        elif align == "right":
            x = PAGE_W - self.margin - width
        else:
            x = self.margin + indent
        self.runs.append(Run(x, self.y, text, size, bold))
        self.lines.append(text)

    def columns(self, cells: Iterable[str], xs: Iterable[float], size: float = 9.5,
                bold: bool = False, right_from: int | None = None) -> None:
        """One table row; cells from index `right_from` on are right-aligned at their x."""
        if self.full:
            return
        self.y += size * 1.5
        cells = list(cells)
        for i, (cell, x) in enumerate(zip(cells, xs, strict=True)):
            if right_from is not None and i >= right_from:
                x -= text_width(self.family, cell, size, bold)
            self.runs.append(Run(self.margin + x, self.y, cell, size, bold))
        self.lines.append("  ".join(cells))

    def rule(self, weight: float = 0.8) -> None:
        if self.full:
            return
        self.y += 5
        self.rules.append(Rule(self.margin, self.y, PAGE_W - self.margin, self.y, weight))

    def space(self, points: float = 8) -> None:
        self.y += points

    def paragraph(self, text: str, size: float = 10, indent: float = 0.0) -> None:
        """Word-wrapped text across the page width."""
        limit = PAGE_W - 2 * self.margin - indent
        line = ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if line and text_width(self.family, trial, size) > limit:
                self.text(line, size, indent=indent)
                line = word
            else:
                line = trial
        if line:
            self.text(line, size, indent=indent)


# -- values --------------------------------------------------------------------------------------
FIRST = ["Anna", "Ben", "Carla", "David", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas",
         "Keiko", "Liam", "Maya", "Noah", "Olga", "Pavel", "Rosa", "Sami", "Tara", "Victor"]
LAST = ["Meyer", "Okafor", "Rossi", "Nguyen", "Schmidt", "Garcia", "Kowalski", "Dubois",
        "Jensen", "Haddad", "Tanaka", "Novak", "Silva", "Murphy", "Weber", "Costa"]
COMPANY_A = ["Northwind", "Bluebird", "Granite", "Silverline", "Redwood", "Apex", "Harbor",
             "Meridian", "Cobalt", "Evergreen", "Summit", "Lighthouse", "Orchid", "Vertex"]
COMPANY_B = ["Trading", "Logistics", "Supplies", "Systems", "Foods", "Consulting", "Industries",
             "Labs", "Partners", "Electric", "Textiles", "Software"]
SUFFIX = ["Ltd", "GmbH", "Inc.", "LLC", "S.A.", "B.V.", "plc"]
STREETS = ["High Street", "Station Road", "Main Street", "Market Square", "Park Avenue",
           "Mill Lane", "Church Road", "Harbour Way", "King Street", "Elm Grove"]
CITIES = [("London", "EC1A 1BB"), ("Berlin", "10115"), ("Amsterdam", "1011 AB"),
          ("Dublin", "D02 X285"), ("Lyon", "69002"), ("Warsaw", "00-001"), ("Leeds", "LS1 4AP"),
          ("Munich", "80331"), ("Rotterdam", "3011 AA"), ("Porto", "4000-001")]
ITEMS = ["Office chairs", "A4 paper (box)", "Toner cartridge", "Laptop stand", "USB-C cables",
         "Desk lamp", "Consulting hours", "Software licence", "Maintenance visit",
         "Shipping pallets", "Safety gloves", "Printer service", "Cloud hosting (month)",
         "Training session", "Monitor 27in", "Whiteboard markers", "Coffee beans (kg)"]
GROCERIES = ["Milk", "Bread", "Coffee", "Apples", "Rice", "Eggs", "Cheese", "Pasta", "Water",
             "Tomatoes", "Chicken", "Yoghurt", "Bananas", "Butter", "Tea", "Olive oil"]
CURRENCIES = [("EUR", "€"), ("GBP", "£"), ("USD", "$")]
ROLES = ["Project Manager", "Accountant", "Software Engineer", "Sales Associate",
         "Data Analyst", "Operations Lead", "HR Coordinator", "Buyer", "Warehouse Supervisor"]
SCHOOLS = ["University of Leeds", "TU Munich", "University College Dublin", "Sorbonne",
           "University of Porto", "Erasmus University", "Warsaw School of Economics"]
SUBJECTS = ["quarterly budget review", "new expense policy", "office relocation",
            "supplier onboarding", "holiday schedule", "IT security training",
            "year-end inventory count", "customer complaint procedure"]


@dataclass
class Values:
    """Random but plausible values from one seeded generator."""

    rng: random.Random

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def company(self) -> str:
        r = self.rng
        return f"{r.choice(COMPANY_A)} {r.choice(COMPANY_B)} {r.choice(SUFFIX)}"

    def address(self) -> list[str]:
        city, post = self.rng.choice(CITIES)
        return [f"{self.rng.randint(1, 240)} {self.rng.choice(STREETS)}", f"{post} {city}"]

    def day(self, start: date = date(2022, 1, 1), span: int = 1000) -> date:
        return start + timedelta(days=self.rng.randint(0, span))

    def money(self, low: float, high: float) -> float:
        return round(self.rng.uniform(low, high), 2)

    def date_text(self, d: date, style: int) -> str:
        return [d.isoformat(), d.strftime("%d/%m/%Y"), d.strftime("%d %B %Y"),
                d.strftime("%B %d, %Y")][style]


def fmt(amount: float, symbol: str) -> str:
    return f"{symbol}{amount:,.2f}"


# -- documents -----------------------------------------------------------------------------------
Builder = Callable[[Page, Values], dict]


def _line_items(
    page: Page, v: Values, symbol: str, n: int, headers: list[str]
) -> tuple[list, float]:
    xs = [0, 250, 380, 483]
    page.columns(headers, xs, bold=True, right_from=2)
    page.rule(0.5)
    items, subtotal = [], 0.0
    for _ in range(n):
        desc, qty = v.rng.choice(ITEMS), v.rng.randint(1, 20)
        unit = v.money(2, 400)
        amount = round(qty * unit, 2)
        subtotal = round(subtotal + amount, 2)
        items.append({"description": desc, "quantity": qty, "unit_price": unit, "amount": amount})
        page.columns([desc, str(qty), fmt(unit, symbol), fmt(amount, symbol)], xs, right_from=2)
    page.rule(0.5)
    return items, subtotal


def _header_block(page: Page, v: Values, name: str, align: str) -> list[str]:
    page.text(name, 15, bold=True, align=align)
    address = v.address()
    for line in address:
        page.text(line, 9, align=align)
    return address


def invoice(page: Page, v: Values) -> dict:
    r = v.rng
    currency, symbol = r.choice(CURRENCIES)
    vendor, customer = v.company(), v.company()
    align = r.choice(["left", "center", "right"])
    address = _header_block(page, v, vendor, align)
    page.space(14)
    page.text(r.choice(["INVOICE", "Invoice", "TAX INVOICE"]), 20, bold=True,
              align=r.choice(["left", "right"]))
    number = f"{r.choice(['INV', 'IN', 'F'])}-{r.randint(2022, 2026)}-{r.randint(100, 99999)}"
    issued = v.day()
    due = issued + timedelta(days=r.choice([14, 30, 45, 60]))
    style = r.randint(0, 3)
    page.text(f"Invoice number: {number}", 10)
    page.text(f"Invoice date: {v.date_text(issued, style)}", 10)
    page.text(f"Due date: {v.date_text(due, style)}", 10)
    page.space(6)
    page.text("Bill to:", 10, bold=True)
    page.text(customer, 10)
    for line in v.address():
        page.text(line, 10)
    page.space(10)
    items, subtotal = _line_items(page, v, symbol, r.randint(2, 7),
                                  ["Description", "Qty", "Unit price", "Amount"])
    rate = r.choice([0.0, 0.07, 0.19, 0.2, 0.21])
    tax = round(subtotal * rate, 2)
    total = round(subtotal + tax, 2)
    page.text(f"Subtotal: {fmt(subtotal, symbol)}", 10, align="right")
    page.text(f"VAT {rate:.0%}: {fmt(tax, symbol)}", 10, align="right")
    page.text(f"Total due: {fmt(total, symbol)}", 12, bold=True, align="right")
    page.space(12)
    page.text(f"Please pay within {(due - issued).days} days to IBAN "
              f"DE{r.randint(10, 99)} {r.randint(1000, 9999)} {r.randint(1000, 9999)}.", 9)
    return {"vendor": vendor, "vendor_address": ", ".join(address), "customer": customer,
            "invoice_number": number, "date": issued.isoformat(), "due_date": due.isoformat(),
            "currency": currency, "line_items": items, "subtotal": subtotal, "tax": tax,
            "total": total}


def receipt(page: Page, v: Values) -> dict:
    r = v.rng
    page.margin = r.choice([150.0, 170.0, 190.0])  # a narrow till roll in the middle
    page.y = page.margin / 3
    currency, symbol = r.choice(CURRENCIES)
    merchant = f"{r.choice(COMPANY_A).upper()} {r.choice(['MARKET', 'STORE', 'CAFE', 'MART'])}"
    page.text(merchant, 13, bold=True, align="center")
    address = v.address()
    for line in address:
        page.text(line, 8.5, align="center")
    page.text(f"Tel {r.randint(100, 999)} {r.randint(1000000, 9999999)}", 8.5, align="center")
    page.rule(0.4)
    when = v.day()
    clock = f"{r.randint(7, 21):02d}:{r.randint(0, 59):02d}"
    page.text(f"{v.date_text(when, r.randint(0, 1))}  {clock}   Till {r.randint(1, 9)}", 8.5)
    width = PAGE_W - 2 * page.margin
    items, total = [], 0.0
    for _ in range(r.randint(3, 12)):
        name, price = r.choice(GROCERIES), v.money(0.5, 25)
        total = round(total + price, 2)
        items.append({"description": name, "amount": price})
        page.columns([name, fmt(price, symbol)], [0, width], size=8.5, right_from=1)
    page.rule(0.4)
    page.columns(["TOTAL", fmt(total, symbol)], [0, width], size=11, bold=True, right_from=1)
    method = r.choice(["CARD", "CASH", "CONTACTLESS"])
    page.text(f"Paid by {method}", 8.5)
    page.text(r.choice(["Thank you for shopping with us!", "Please keep your receipt",
                        "THANK YOU - COME AGAIN"]), 8.5, align="center")
    return {"merchant": merchant, "address": ", ".join(address), "date": when.isoformat(),
            "time": clock, "currency": currency, "items": items, "total": total,
            "payment_method": method.lower()}


def purchase_order(page: Page, v: Values) -> dict:
    r = v.rng
    currency, symbol = r.choice(CURRENCIES)
    buyer, supplier = v.company(), v.company()
    _header_block(page, v, buyer, r.choice(["left", "center"]))
    page.space(12)
    page.text("PURCHASE ORDER", 18, bold=True, align=r.choice(["left", "center", "right"]))
    number = f"PO-{r.randint(10000, 999999)}"
    ordered = v.day()
    delivery = ordered + timedelta(days=r.randint(5, 40))
    style = r.randint(0, 3)
    page.text(f"PO number: {number}", 10)
    page.text(f"Order date: {v.date_text(ordered, style)}", 10)
    page.text(f"Requested delivery: {v.date_text(delivery, style)}", 10)
    page.space(6)
    page.text("Supplier:", 10, bold=True)
    page.text(supplier, 10)
    page.text("Ship to:", 10, bold=True)
    page.text(", ".join(v.address()), 10)
    page.space(10)
    items, total = _line_items(page, v, symbol, r.randint(2, 8),
                               ["Item", "Quantity", "Unit cost", "Line total"])
    page.text(f"Order total: {fmt(total, symbol)}", 12, bold=True, align="right")
    page.space(10)
    page.text(f"Authorised by: {v.person()}, {r.choice(ROLES)}", 10)
    page.text("Please quote the PO number on all invoices and delivery notes.", 9)
    return {"buyer": buyer, "supplier": supplier, "po_number": number,
            "date": ordered.isoformat(), "delivery_date": delivery.isoformat(),
            "currency": currency, "line_items": items, "total": total}


def bank_statement(page: Page, v: Values) -> dict:
    r = v.rng
    currency, symbol = r.choice(CURRENCIES)
    bank = f"{r.choice(COMPANY_A)} {r.choice(['Bank', 'Savings Bank', 'Credit Union'])}"
    holder = v.person()
    page.text(bank, 16, bold=True, align=r.choice(["left", "right"]))
    page.text("Account statement", 13, bold=True)
    account = f"****{r.randint(1000, 9999)}"
    start = v.day()
    end = start + timedelta(days=r.choice([29, 30, 90]))
    page.text(f"Account holder: {holder}", 10)
    page.text(f"Account number: {account}", 10)
    page.text(f"Statement period: {start.isoformat()} to {end.isoformat()}", 10)
    page.space(8)
    xs = [0, 80, 330, 483]
    page.columns(["Date", "Description", "Amount", "Balance"], xs, bold=True, right_from=2)
    page.rule(0.5)
    opening = v.money(100, 20000)
    balance, transactions = opening, []
    page.columns(["", "Opening balance", "", fmt(opening, symbol)], xs, right_from=2)
    day = start
    for _ in range(r.randint(5, 16)):
        day = min(end, day + timedelta(days=r.randint(0, 6)))
        desc = r.choice([f"Card payment {r.choice(COMPANY_A)}", f"Transfer from {v.person()}",
                         "Salary", "Direct debit rent", "ATM withdrawal", "Interest",
                         f"Standing order {r.choice(COMPANY_A)}"])
        amount = v.money(5, 2500) * (1 if desc in ("Salary", "Interest") or
                                      desc.startswith("Transfer") else -1)
        balance = round(balance + amount, 2)
        transactions.append({"date": day.isoformat(), "description": desc, "amount": amount})
        page.columns([day.strftime("%d %b"), desc, f"{amount:,.2f}", fmt(balance, symbol)], xs,
                     size=9, right_from=2)
    page.rule(0.5)
    page.text(f"Closing balance: {fmt(balance, symbol)}", 11, bold=True, align="right")
    return {"bank": bank, "account_holder": holder, "account_number": account,
            "period_start": start.isoformat(), "period_end": end.isoformat(),
            "currency": currency, "opening_balance": opening, "closing_balance": balance,
            "transactions": transactions}


CLAUSES = [
    ("Services", "The Provider shall perform the services described in Schedule A with "
                 "reasonable skill and care and in accordance with good industry practice."),
    ("Fees", "The Client shall pay the fees set out in Schedule B within thirty days of "
             "receipt of a valid invoice. Late payments accrue interest at the statutory rate."),
    ("Confidentiality", "Each party shall keep confidential all information disclosed by the "
                        "other party and shall not use it except for the purposes of this "
                        "Agreement."),
    ("Liability", "Neither party limits its liability for death or personal injury caused by "
                  "negligence. Otherwise total liability shall not exceed the fees paid."),
    ("Termination", "Either party may terminate this Agreement by giving the other not less "
                    "than ninety days' written notice."),
    ("Data protection", "The parties shall comply with all applicable data protection laws "
                        "when processing personal data under this Agreement."),
    ("Assignment", "Neither party may assign or transfer its rights under this Agreement "
                   "without the prior written consent of the other party."),
]


def contract(page: Page, v: Values) -> dict:
    r = v.rng
    title = r.choice(["SERVICES AGREEMENT", "Master Services Agreement", "SUPPLY CONTRACT",
                      "Consulting Agreement"])
    party_a, party_b = v.company(), v.company()
    effective = v.day()
    term = r.choice([6, 12, 24, 36])
    law = r.choice(["England and Wales", "Germany", "the Netherlands", "Ireland", "France"])
    page.text(title, 16, bold=True, align="center")
    page.space(8)
    page.paragraph(f"This Agreement is made on {v.date_text(effective, r.randint(2, 3))} "
                   f"between {party_a} (the \"Provider\") and {party_b} (the \"Client\").")
    page.paragraph(f"The Agreement commences on the effective date and continues for {term} "
                   f"months unless terminated earlier in accordance with its terms.")
    clauses = r.sample(CLAUSES, k=r.randint(4, len(CLAUSES)))
    for n, (heading, body) in enumerate(clauses, start=1):
        page.space(4)
        page.text(f"{n}. {heading}", 11, bold=True)
        page.paragraph(body, 9.5, indent=14)
    page.space(4)
    page.text(f"{len(clauses) + 1}. Governing law", 11, bold=True)
    page.paragraph(f"This Agreement is governed by the laws of {law}.", 9.5, indent=14)
    page.space(16)
    signer_a, signer_b = v.person(), v.person()
    page.columns([f"For {party_a}", f"For {party_b}"], [0, 260], size=9.5)
    page.columns(["Signature: ____________", "Signature: ____________"], [0, 260], size=9.5)
    page.columns([signer_a, signer_b], [0, 260], size=9.5)
    return {"title": title, "parties": [party_a, party_b], "effective_date": effective.isoformat(),
            "term_months": term, "governing_law": law, "signatories": [signer_a, signer_b]}


BODIES = [
    "Thank you for your letter regarding {topic}. We have reviewed the matter carefully and "
    "are pleased to confirm that the necessary steps have been taken.",
    "I am writing to follow up on our recent conversation about {topic}. As agreed, please find "
    "the relevant details summarised below for your records.",
    "We would like to inform you of a change concerning {topic}. The change takes effect from "
    "the first day of next month and requires no action on your part.",
    "Please accept our apologies for the delay in responding about {topic}. Our team has now "
    "completed its review and we expect to resolve the issue shortly.",
]


def letter(page: Page, v: Values) -> dict:
    r = v.rng
    sender_org = v.company()
    sender_address = _header_block(page, v, sender_org, r.choice(["left", "right", "center"]))
    page.space(18)
    recipient = v.person()
    page.text(recipient, 10)
    page.text(v.company(), 10)
    for line in v.address():
        page.text(line, 10)
    page.space(10)
    sent = v.day()
    page.text(v.date_text(sent, r.randint(2, 3)), 10, align=r.choice(["left", "right"]))
    page.space(10)
    topic = r.choice(SUBJECTS)
    subject = f"Re: {topic.capitalize()}"
    page.text(subject, 10.5, bold=True)
    page.space(6)
    page.text(f"Dear {r.choice(['Mr', 'Ms', 'Dr'])} {recipient.split()[1]},", 10.5)
    for body in r.sample(BODIES, k=r.randint(2, 3)):
        page.space(4)
        page.paragraph(body.format(topic=topic), 10.5)
    page.space(8)
    page.text(r.choice(["Yours sincerely,", "Kind regards,", "Yours faithfully,"]), 10.5)
    page.space(18)
    signer = v.person()
    page.text(signer, 10.5)
    page.text(r.choice(ROLES), 10)
    return {"sender": sender_org, "sender_address": ", ".join(sender_address),
            "recipient": recipient, "date": sent.isoformat(), "subject": subject,
            "signatory": signer}


def memo(page: Page, v: Values) -> dict:
    r = v.rng
    page.text(r.choice(["MEMORANDUM", "Memo", "INTERNAL MEMO"]), 20, bold=True,
              align=r.choice(["left", "center"]))
    page.rule(1.2)
    to, sender = r.choice(["All staff", "Finance team", "Department heads", v.person()]), \
        v.person()
    sent, topic = v.day(), r.choice(SUBJECTS)
    cc = v.person()
    for key, value in [("TO", to), ("FROM", sender), ("CC", cc),
                       ("DATE", v.date_text(sent, r.randint(0, 3))),
                       ("SUBJECT", topic.capitalize())]:
        page.columns([f"{key}:", value], [0, 80], size=10.5, bold=False)
    page.rule(0.6)
    page.space(6)
    page.paragraph(f"This memo sets out the arrangements for the {topic}. Please read it "
                   "carefully and share it with your teams.", 10.5)
    for _ in range(r.randint(2, 4)):
        page.space(3)
        page.text(f"- {r.choice(BULLETS).format(day=v.date_text(v.day(), 2))}", 10.5, indent=10)
    page.space(6)
    page.paragraph("Questions should be sent to the undersigned before the end of the week.", 10.5)
    page.space(8)
    page.text(sender.split()[0][0] + sender.split()[1][0], 10.5, bold=True)
    return {"to": to, "from": sender, "cc": cc, "date": sent.isoformat(),
            "subject": topic.capitalize()}


BULLETS = ["Submit your figures by {day}.", "The new process starts on {day}.",
           "Managers will confirm attendance by {day}.", "Old forms are no longer accepted.",
           "Receipts must be attached to every claim.", "Meeting rooms are booked via the portal."]


def resume(page: Page, v: Values) -> dict:
    r = v.rng
    name = v.person()
    email = f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.com"
    phone = f"+{r.randint(30, 49)} {r.randint(100, 999)} {r.randint(100000, 999999)}"
    align = r.choice(["left", "center"])
    page.text(name, 20, bold=True, align=align)
    page.text(f"{email}  |  {phone}  |  {r.choice(CITIES)[0]}", 9.5, align=align)
    page.rule(0.8)
    sections = ["Profile", "Experience", "Education", "Skills"]
    if r.random() < 0.5:
        sections = ["Experience", "Education", "Skills", "Profile"]
    experience, education = [], []
    for section in sections:
        page.space(6)
        page.text(section.upper() if r.random() < 0.5 else section, 12, bold=True)
        if section == "Profile":
            page.paragraph(f"{r.choice(ROLES)} with {r.randint(2, 20)} years of experience in "
                           "operations, reporting and stakeholder management.", 10)
        elif section == "Experience":
            year = r.randint(2008, 2018)
            for _ in range(r.randint(2, 4)):
                role, company = r.choice(ROLES), v.company()
                end = min(2026, year + r.randint(1, 5))
                experience.append({"role": role, "company": company, "from": year, "to": end})
                page.text(f"{role}, {company}   {year} - {end}", 10, bold=True)
                page.paragraph("Led a team, improved processes and delivered projects on "
                               "time and within budget.", 9.5, indent=12)
                year = end
        elif section == "Education":
            school = r.choice(SCHOOLS)
            degree = r.choice(["BSc Economics", "MSc Computer Science", "BA Business",
                               "MBA", "BEng Mechanical Engineering"])
            education.append({"degree": degree, "school": school})
            page.text(f"{degree}, {school}, {r.randint(1998, 2016)}", 10)
        else:
            skills = r.sample(["Excel", "SQL", "Python", "SAP", "Negotiation", "German",
                               "French", "Budgeting", "Power BI", "Project planning"], k=5)
            page.text(", ".join(skills), 10)
    return {"name": name, "email": email, "phone": phone, "experience": experience,
            "education": education}


BUILDERS: dict[str, Builder] = {
    "invoice": invoice, "receipt": receipt, "purchase_order": purchase_order,
    "bank_statement": bank_statement, "contract": contract, "letter": letter, "memo": memo,
    "resume": resume,
}


# -- rendering -----------------------------------------------------------------------------------
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
        font = _pil_font(page.family.bold if run.bold else page.family.regular,
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


# -- the generator -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    doc_id: str
    label: str
    fields: dict
    text: str
    files: tuple[Path, ...]


def build(label: str, index: int, seed: int) -> tuple[Page, dict]:
    """Lay out document `index` of class `label`; the same arguments give the same page."""
    rng = random.Random(f"papertrail-samples:{seed}:{label}:{index}")
    page = Page(rng.choice(font_families()), margin=rng.choice([42.0, 56.0, 70.0]))
    fields = BUILDERS[label](page, Values(rng))
    return page, fields


def generate(out: Path, n_per_class: int = 10, seed: int = 0,
             classes: Iterable[str] = CLASSES, formats: Iterable[str] = ("png", "pdf"),
             dpi: int = 150, noise: bool = True) -> list[Sample]:
    """Write `n_per_class` documents of every class under `out/<class>/<id>.{png,pdf,txt,json}`."""
    formats = tuple(formats)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"Unknown sample formats {sorted(unknown)}; choose from {FORMATS}.")
    classes = tuple(classes)
    bad = set(classes) - set(CLASSES)
    if bad:
        raise ValueError(f"Unknown sample classes {sorted(bad)}; choose from {CLASSES}.")
    samples = []
    for label in classes:
        folder = Path(out) / label
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(n_per_class):
            page, fields = build(label, index, seed)
            doc_id = f"{label}-{seed}-{index:04d}"
            text = "\n".join(page.lines)
            files: list[Path] = []
            if "png" in formats:
                files.append(folder / f"{doc_id}.png")
                noise_rng = np.random.default_rng([seed, CLASSES.index(label), index])
                render_png(page, files[-1], noise_rng, dpi=dpi, noise=noise)
            if "pdf" in formats:
                files.append(folder / f"{doc_id}.pdf")
                render_pdf(page, files[-1])
            if "txt" in formats:
                files.append(folder / f"{doc_id}.txt")
                files[-1].write_text(text + "\n", encoding="utf-8")
            truth = {"id": doc_id, "label": label, "seed": seed, "font": page.family.name,
                     "fields": fields, "text": text}
            (folder / f"{doc_id}.json").write_text(json.dumps(truth, indent=2) + "\n")
            samples.append(Sample(doc_id, label, fields, text, tuple(files)))
    return samples
