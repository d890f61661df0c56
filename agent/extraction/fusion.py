"""Fuse the fields extracted from several readings of one document (two OCR engines).

Per field, the readings' values are compared after normalisation. Where they differ, a total
that the arithmetic printed on its own reading confirms wins; otherwise the reading listed first
(the better engine for key fields) wins. Where they agree but for spaces or letter case, the
spelling that kept its word spaces wins for names (RapidOCR runs `BLUEBIRD STORE` together),
then the one with consistent case (RapidOCR reads `INV-2001` as `INv-2001`). Who read what is
kept for the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.extraction.checks import total_arithmetic
from agent.extraction.finders.pairs import Pair
from agent.extraction.layout import Line
from agent.extraction.locate import LineWords
from agent.extraction.models import FIELD_NAMES, ExtractedFields
from agent.extraction.normalize import fold_text, same_amount


@dataclass(frozen=True)
class Reading:
    """One reading of the document and the fields extracted from it."""

    engine: str  # 'tesseract', 'rapidocr', 'text_layer', 'text'
    text: str
    fields: ExtractedFields
    lines: list[Line]
    words: list[LineWords] = field(default_factory=list)  # empty when there is no OCR result
    pairs: dict[str, Pair] = field(default_factory=dict)  # layout pairing's values, per field
    lines_found: ExtractedFields | None = None  # the text-line finders' own values (pre-pairing)

    def finder_values(self, name: str) -> dict[str, Any]:
        """Each finder's own value for field `name`: 'lines' and, with pairing, 'layout'."""
        own = self.lines_found or self.fields
        found = {"lines": getattr(own, name)}
        if self.pairs:
            found["layout"] = self.pairs[name].value if name in self.pairs else None
        return found


@dataclass(frozen=True)
class Fused:
    value: Any
    reading: int | None  # index of the reading it was taken from
    sources: dict[str, Any]  # engine -> its value (JSON), for every reading
    agreeing: int  # other readings with the same value
    disagreeing: int  # other readings with another value


TEXT_FIELDS = ("vendor", "address", "invoice_number")
SPACED_FIELDS = ("vendor", "address")  # names: the reading that kept its word spaces wins


def same(name: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if name == "total":
        return same_amount(a, b)
    if name in TEXT_FIELDS:
        return fold_text(str(a)).replace(" ", "") == fold_text(str(b)).replace(" ", "")
    return a == b


def fuse(readings: list[Reading]) -> tuple[ExtractedFields, dict[str, Fused]]:
    """The fused fields (provenance of the reading each value came from) and, per field, who
    read what."""
    confirmed = [total_arithmetic(r.fields, r.lines).passed is True for r in readings]
    values: dict[str, Any] = {}
    provenance = {}
    fused: dict[str, Fused] = {}
    for name in FIELD_NAMES:
        read = [getattr(r.fields, name) for r in readings]
        order = list(range(len(readings)))
        if name == "total":
            order.sort(key=lambda i: not confirmed[i])  # stable: preference order otherwise
        pick = next((i for i in order if read[i] is not None), None)
        sources = {r.engine: _json(v) for r, v in zip(readings, read, strict=True)}
        if pick is None:
            continue
        if name in TEXT_FIELDS:
            alike = [i for i in order if read[i] is not None and same(name, read[pick], read[i])]
            pick = min(alike, key=lambda i: (  # stable: first on ties
                -str(read[i]).count(" ") if name in SPACED_FIELDS else 0,
                _case_breaks(str(read[i]))))
        value = read[pick]
        others = [v for i, v in enumerate(read) if i != pick and v is not None]
        agreeing = sum(same(name, value, v) for v in others)
        values[name] = value
        if name in readings[pick].fields.provenance:
            provenance[name] = readings[pick].fields.provenance[name]
        fused[name] = Fused(_json(value), pick, sources, agreeing, len(others) - agreeing)
    doc_type = readings[0].fields.doc_type if readings else None
    return ExtractedFields(doc_type=doc_type, provenance=provenance, **values), fused


def _case_breaks(text: str) -> int:
    """Words whose letters are neither all upper, all lower nor capitalised (`INv`, `AcME`)."""
    words = ("".join(c for c in w if c.isalpha()) for w in text.split())
    return sum(1 for w in words if w and not (w.isupper() or w.islower() or w.istitle()))


def _json(value: Any) -> Any:
    return None if value is None else (value if isinstance(value, str) else str(value))
