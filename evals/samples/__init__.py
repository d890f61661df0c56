"""Labelled sample business documents of our own, rendered as PNG and PDF with ground truth.

Each document is laid out once (a list of positioned text runs and rules on an A4 page, in
points) and drawn twice: with Pillow into a noisy grayscale scan (PNG) and with reportlab into a
born-digital PDF. Beside them, `<id>.json` holds the label, the ground-truth fields and the
text as laid out; `<id>.txt` (optional) holds just that text. Everything is deterministic for a
given seed. These documents feed tests, the demo bundle and extraction checks; they are not a
substitute for real data.

Modules: `layout` (fonts, runs, rules, the page), `values` (word lists and random values),
`financial` and `prose` (one builder per document kind), `render` (PNG and PDF) and
`generator` (the public entry point re-exported here).
"""

from evals.samples.generator import CLASSES, FORMATS, Sample, generate, generate_mixed

__all__ = ["CLASSES", "FORMATS", "Sample", "generate", "generate_mixed"]
