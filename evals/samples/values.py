"""Plausible random values for the sample documents, and the blocks several kinds share."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from evals.samples.layout import Page

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


def line_items(
    page: Page, v: Values, symbol: str, n: int, headers: list[str]
) -> tuple[list, float]:
    """A table of `n` random line items under `headers`; returns the items and their sum."""
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


def header_block(page: Page, v: Values, name: str, align: str) -> list[str]:
    """An organisation's name and address at the top of the page; returns the address lines."""
    page.text(name, 15, bold=True, align=align)
    address = v.address()
    for line in address:
        page.text(line, 9, align=align)
    return address
