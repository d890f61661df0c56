"""The oracle reviewer: knows the truth and does what a careful person would have had to do."""

from __future__ import annotations

from typing import Any

from agent.review import ReviewDecision
from evals.normalize import fields_match, normalize_field

ORACLE = "oracle"


def oracle_decision(payload: dict[str, Any], true_label: str,
                    true_fields: dict[str, Any] | None) -> ReviewDecision:
    """relabel when the type is wrong; edit when a known field is wrong; otherwise approve.

    Relabelling first matters: the graph re-extracts fields for the new type, and the harness
    scores those, as a person would see them next.
    """
    if payload.get("label") != true_label:
        return ReviewDecision(action="relabel", label=true_label, reviewer=ORACLE)
    if true_fields:
        seen = payload.get("fields") or {}
        wrong = {name: normalize_field(name, value) for name, value in true_fields.items()
                 if not fields_match(name, seen.get(name), value)}
        if wrong:
            return ReviewDecision(action="edit", fields=wrong, reviewer=ORACLE)
    return ReviewDecision(action="approve", reviewer=ORACLE)
