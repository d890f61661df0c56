"""Parse and check an LLM answer. Any failure makes the adjudication `ungrounded`."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence

from pydantic import ValidationError

from agent.adjudication.schema import UNKNOWN, AdjudicationAnswer
from retrieval.hits import ExemplarHit


class UngroundedAnswer(ValueError):
    """The answer cannot be trusted; the message says why (it is recorded for the reviewer)."""


_CODE_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def parse_json_answer(raw: str, refs: Mapping[str, str] | None = None) -> AdjudicationAnswer:
    """A chat answer: one JSON object matching `AdjudicationAnswer`. Short reference ids the
    prompt used (`refs`: E1 -> document id) are mapped back; anything else is kept as cited."""
    try:
        answer = AdjudicationAnswer.model_validate(json.loads(_CODE_FENCE.sub("", raw.strip())))
    except (json.JSONDecodeError, ValidationError, TypeError) as exc:
        raise UngroundedAnswer(f"malformed answer, not the JSON schema asked for: {exc}") from exc
    refs = refs or {}
    answer.evidence_ids = [refs.get(i, i) for i in answer.evidence_ids]
    return answer


def parse_label_answer(raw: str, hits: Sequence[ExemplarHit]) -> AdjudicationAnswer:
    """A few-shot completion answer: a bare label. Its evidence is the exemplars shown with it."""
    words = raw.strip().splitlines()[0].strip().strip(".,;:\"'").split() if raw.strip() else []
    if len(words) != 1:
        raise UngroundedAnswer(f"malformed answer: expected one label, got {raw[:80]!r}")
    label = words[0]
    evidence = [h.doc_id for h in hits if h.label == label]
    return AdjudicationAnswer(label=label, evidence_ids=evidence, rationale="few-shot completion")


def check(answer: AdjudicationAnswer, labels: Collection[str], hits: Sequence[ExemplarHit]) -> None:
    """Raise `UngroundedAnswer` unless the label is allowed and every cited id was retrieved."""
    if answer.label != UNKNOWN and answer.label not in labels:
        raise UngroundedAnswer(f"label {answer.label!r} is outside the label set")
    retrieved = {h.doc_id for h in hits}
    invented = [i for i in answer.evidence_ids if i not in retrieved]
    if invented:
        raise UngroundedAnswer(f"cited exemplar ids {invented} were not retrieved")
    if answer.label != UNKNOWN and not answer.evidence_ids:
        raise UngroundedAnswer(f"label {answer.label!r} is not supported by a retrieved exemplar")
