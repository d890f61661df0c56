"""Builders for the financial document kinds: invoice, receipt, purchase order, bank statement.

Each builder lays a document out on a `Page` and returns its ground-truth fields.
"""

from __future__ import annotations

from datetime import timedelta

from evals.samples.layout import PAGE_W, Page
from evals.samples.values import (
    COMPANY_A,
    CURRENCIES,
    GROCERIES,
    ROLES,
    Values,
    fmt,
    header_block,
    line_items,
)


def invoice(page: Page, v: Values) -> dict:
    r = v.rng
    currency, symbol = r.choice(CURRENCIES)
    vendor, customer = v.company(), v.company()
    align = r.choice(["left", "center", "right"])
    address = header_block(page, v, vendor, align)
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
    items, subtotal = line_items(page, v, symbol, r.randint(2, 7),
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


def receipt(page: Page, v: Values, legal_name: str | None = None,
            brand_line: bool = True) -> dict:
    """A till receipt; `legal_name` ('KEDAI MAJU SDN BHD (123456-X)') is printed under the
    shop's brand line, as Malaysian receipts print the registered company, or instead of it
    (`brand_line` False): tests of which name is the issuer. Without it the output is
    unchanged."""
    r = v.rng
    page.margin = r.choice([150.0, 170.0, 190.0])  # a narrow till roll in the middle
    page.y = page.margin / 3
    currency, symbol = r.choice(CURRENCIES)
    merchant = f"{r.choice(COMPANY_A).upper()} {r.choice(['MARKET', 'STORE', 'CAFE', 'MART'])}"
    if brand_line or not legal_name:
        page.text(merchant, 13, bold=True, align="center")
    if legal_name:
        page.text(legal_name, 9 if brand_line else 12, bold=not brand_line, align="center")
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
    extra = {"legal_name": legal_name} if legal_name else {}
    shown = merchant if brand_line or not legal_name else legal_name
    return {"merchant": shown, **extra, "address": ", ".join(address),
            "date": when.isoformat(),
            "time": clock, "currency": currency, "items": items, "total": total,
            "payment_method": method.lower()}


def purchase_order(page: Page, v: Values) -> dict:
    r = v.rng
    currency, symbol = r.choice(CURRENCIES)
    buyer, supplier = v.company(), v.company()
    header_block(page, v, buyer, r.choice(["left", "center"]))
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
    items, total = line_items(page, v, symbol, r.randint(2, 8),
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
