"""Why a receipt's vendor name may be wrong even when every reading agrees on it.

Agreement between two OCR engines is strong evidence against random OCR noise, not against the
two ways a header fools both of them (docs/benchmarks.md, "Receipts and invoices"):

- **a repaired legal suffix**: the name was read with a misread suffix (`INTERNATIONALSDN`,
  `SIN BHD`, `5/B`) that the extractor put right, and no reading printed it right: the engines
  failed the same way, so the rest of the name may be misread too;
- **two names in the header**: another name-like line stands above the one taken (a brand or
  shop line over the legal entity, an owner's name over the shop), or right below it before
  the address (`FACE TO FACE NOODLE HOUSE` over `FTOF NOODLE HOUSE`): which of them is the
  issuer is a convention the text does not settle.

Each doubt is a sentence for the reviewer; a doubted field's confidence is capped
(`agent.extraction.confidence.DOUBTED`), so `field_confidence` rules send it to a person.
"""

from __future__ import annotations

from agent.extraction.finders.parties import ADDRESS_HINT, COMPANY_SUFFIX, vendor_like
from agent.extraction.fusion import Reading, same
from agent.extraction.layout import Line
from agent.extraction.legal_names import repair_legal_suffix
from agent.extraction.normalize import fold_text


def _name_lines(reading: Reading) -> list[Line]:
    """The lines a reading's vendor name was taken from (its line, and the one above when
    the rule joined two)."""
    source = reading.fields.provenance.get("vendor")
    if source is None or source.line is None or not 0 <= source.line < len(reading.lines):
        return []
    k = source.line
    joined = source.rule == "vendor.suffix_joined" and k > 0
    return reading.lines[k - 1:k + 2] if joined else reading.lines[k:k + 2]


def _misread(reading: Reading) -> tuple[str, ...]:
    """Legal suffixes this reading's vendor lines printed wrong."""
    return tuple(f for line in _name_lines(reading) for f in repair_legal_suffix(line.text).found)


def vendor_doubts(value: str, readings: list[Reading], pick: int,
                  header_lines: int = 6) -> list[str]:
    """Doubts about `value`, the vendor taken from `readings[pick]`."""
    doubts: list[str] = []
    chosen = readings[pick]
    misread = _misread(chosen)
    if misread:
        printed_right = [r for i, r in enumerate(readings) if i != pick
                         and same("vendor", value, r.fields.vendor) and not _misread(r)]
        if not printed_right:
            doubts.append(f"legal suffix put right from the OCR's {', '.join(map(repr, misread))}"
                          "; the readings agree on a misreading, so their agreement is no "
                          "evidence for the rest of the name")
    source = chosen.fields.provenance.get("vendor")
    if source is not None and source.line is not None and source.rule != "vendor.labelled":
        folded = fold_text(value).replace(" ", "")
        others = [line.text for line in chosen.lines[:min(source.line, header_lines)]
                  if vendor_like(line)
                  and fold_text(line.text).replace(" ", "") not in folded]
        if others:
            doubts.append(f"another name-like line stands above it in the header ({others[-1]!r}"
                          "): a brand, shop or owner's name, or the issuer itself")
        below = _line_below(chosen, source.line, source.rule)
        if below is not None and fold_text(below).replace(" ", "") not in folded:
            doubts.append(f"another name-like line follows it before the address ({below!r}): "
                          "a second name, or the issuer itself")
    return doubts


def _line_below(reading: Reading, k: int, rule: str) -> str | None:
    """The line right after the name when it reads like another name: no digits (not an
    address, registration number or branch code), no label or contact."""
    after = k + 1
    if rule == "vendor.suffix" and after < len(reading.lines) and \
            COMPANY_SUFFIX.fullmatch(reading.lines[after].text):
        after += 1  # the suffix on its own line is part of the name
    if after >= len(reading.lines):
        return None
    line = reading.lines[after]
    named = vendor_like(line) and not line.digits and not ADDRESS_HINT.search(line.text)
    return line.text if named else None
