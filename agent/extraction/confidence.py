"""A field's confidence from three kinds of evidence, each moving it a fixed way:

- the OCR word confidence of its source words (1 for text layers): the starting point;
- agreement between independent sources (two OCR engines, the LLM): every other source that
  read the same value removes most of the remaining doubt; a source that read another value
  halves the confidence;
- agreement between the finders of one reading (the text-line finders and layout pairing,
  `agent.extraction.pairing`): they read the same characters, so an agreeing finder counts
  like a passed check (half the doubt), a disagreeing one halves the confidence;
- cross-field checks (subtotal + tax = total, a plausible date): a passed check removes half of
  the remaining doubt; a contradicted one caps the confidence at `CONTRADICTED`;
- doubts: a known way for the value to be wrong that agreement cannot rule out (a vendor name
  whose legal suffix both engines misread, a header with two names:
  `agent.extraction.vendor_doubts`) caps the confidence at `DOUBTED`, below every minimum of
  the packaged rule sets.

The steps are fixed, not fitted: they order fields by how much evidence backs them, and the
rule sets' minimums (agent/rules/sets) were chosen on SROIE receipts (docs/benchmarks.md).
"""

from __future__ import annotations

UNLOCATED = 0.5  # a value whose source words could not be found on the page
AGREE_KEEPS = 0.25  # share of the doubt left per agreeing source
CHECK_KEEPS = 0.5  # share of the doubt left per passed check
DISAGREE_FACTOR = 0.5
SILENT_FACTOR = 0.85  # per other reading that found no value for the field
CONTRADICTED = 0.3
DOUBTED = 0.6
FINDER_AGREE_KEEPS = 0.5  # share of the doubt left per agreeing finder of the same reading


def field_confidence(word_confidence: float | None, agreeing: int, disagreeing: int,
                     checks: list[bool | None], silent: int = 0, finders_agreeing: int = 0,
                     finders_disagreeing: int = 0, doubted: bool = False) -> float:
    """`agreeing`/`disagreeing`: how many *other* sources read the same / another value;
    `silent`: how many other readings found none; `finders_*`: the other finders of the
    value's own reading that read the same / another value; `doubted`: the value has a
    doubt."""
    p = UNLOCATED if word_confidence is None else max(0.0, min(1.0, word_confidence))
    for _ in range(agreeing):
        p = 1 - (1 - p) * AGREE_KEEPS
    for _ in range(finders_agreeing):
        p = 1 - (1 - p) * FINDER_AGREE_KEEPS
    for _ in range(disagreeing + finders_disagreeing):
        p *= DISAGREE_FACTOR
    for _ in range(silent):
        p *= SILENT_FACTOR
    for outcome in checks:
        if outcome is True:
            p = 1 - (1 - p) * CHECK_KEEPS
        elif outcome is False:
            p = min(p, CONTRADICTED)
    if doubted:
        p = min(p, DOUBTED)
    return round(p, 4)
