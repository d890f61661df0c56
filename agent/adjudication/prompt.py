"""Render adjudication prompts: fenced, truncated document text plus the grounding material.

Document and exemplar text is data: fence markers and answer-line look-alikes inside it are
neutralised so it cannot close its fence or pose as a labelled example.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.adjudication.templates import PromptTemplate
from classifiers.prediction import Prediction
from retrieval.hits import ExemplarHit
from retrieval.label_guidance import LabelGuide

_FENCE_LIKE = re.compile(r"[<>]{3,}|\b(?:DOCUMENT)>>>|<<<(?:DOCUMENT)\b")
_ANSWER_LIKE = re.compile(r"(?im)^\s*(type|label)\s*:")
_BLANKS = re.compile(r"[ \t\f\v]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def sanitize(text: str, max_chars: int) -> str:
    """Neutralise fences and answer look-alikes, squeeze whitespace, cut to `max_chars`."""
    text = _FENCE_LIKE.sub(" ", text)
    text = _ANSWER_LIKE.sub(lambda m: f"{m.group(1)} -", text)
    text = _MANY_NEWLINES.sub("\n\n", _BLANKS.sub(" ", text)).strip()
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars)
    cut = cut if cut > max_chars * 0.8 else max_chars
    return f"{text[:cut]} …"  # one token; '[... N more characters cut]' cost the model ten


def format_candidates(prediction: Prediction, k: int = 3) -> str:
    return ", ".join(f"{label} {p:.2f}" for label, p in prediction.top_k(k))


def format_guidance(guides: Sequence[LabelGuide]) -> str:
    return "\n".join(f"- {g.as_text()}" for g in guides) or "- (none stored)"


def ref_ids(hits: Sequence[ExemplarHit]) -> dict[str, str]:
    """Short ids the prompt uses for the retrieved exemplars (E1, E2, ...) -> document ids.

    Document ids are long hashes; short ones save tokens and are easier for a small model to copy.
    """
    return {f"E{i}": h.doc_id for i, h in enumerate(hits, start=1)}


def format_shots(hits: Sequence[ExemplarHit], snippet_chars: int) -> str:
    """Few-shot examples, least similar first so the nearest sits next to the question."""
    blocks = []
    refs = {h.doc_id: ref for ref, h in zip(ref_ids(hits), hits, strict=True)}
    for hit in sorted(hits, key=lambda h: h.score):
        snippet = sanitize(hit.text, snippet_chars)
        blocks.append(
            f"Document [{refs[hit.doc_id]}]:\n<<<DOCUMENT\n{snippet}\nDOCUMENT>>>\n"
            f"Type: {hit.label}\n\n"
        )
    return "".join(blocks)


def format_references(hits: Sequence[ExemplarHit], snippet_chars: int) -> str:
    lines = [
        f'- id "{ref}", label {h.label}, similarity {h.score:.2f}: '
        f"{sanitize(h.text, snippet_chars)}"
        for ref, h in zip(ref_ids(hits), hits, strict=True)
    ]
    return "\n".join(lines) or "- (none retrieved)"


def render(
    template: PromptTemplate,
    *,
    text: str,
    prediction: Prediction,
    hits: Sequence[ExemplarHit],
    guidance: Sequence[LabelGuide],
    labels: Sequence[str],
    max_doc_chars: int,
    snippet_chars: int,
    all_labels: Sequence[str] = (),
    all_guidance: Sequence[LabelGuide] = (),
) -> str:
    """The prompt. `labels`/`guidance` are this document's offered labels and their guidance;
    `all_labels`/`all_guidance` are the whole closed set's, the same for every document, so a
    template that puts them first gives the server a prefix whose KV cache it can reuse."""
    return template.render(
        labels=", ".join([*labels, "unknown"]),
        policies=format_guidance(guidance),  # the templates' {policies}: label guidance
        all_labels=", ".join([*all_labels, "unknown"]),
        all_policies=format_guidance(all_guidance),
        shots=format_shots(hits, snippet_chars),
        references=format_references(hits, snippet_chars),
        candidates=format_candidates(prediction),
        document=sanitize(text, max_doc_chars),
    )
