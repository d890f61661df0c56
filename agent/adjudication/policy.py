"""Adjudication policies: who decides an escalated document. Chosen by measurement.

(Not the approval policies of business rules, agent/rules, nor the label guidance quoted in
prompts, retrieval/label_guidance.py.)

- `human`: always send to a person.
- `top1`: take the classifier's top-1 label.
- `majority`: take the majority label of the retrieved exemplars (ties: higher summed score).
- `llm`: take the LLM's label when the answer is grounded.
- `llm_agrees_majority`: take the LLM's label only when grounded and equal to the majority.
Anything not decided goes to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple, get_args

from papertrail.errors import ConfigurationError
from retrieval.hits import ExemplarHit

AdjudicationPolicy = Literal["human", "top1", "majority", "llm", "llm_agrees_majority"]
ADJUDICATION_POLICIES: tuple[str, ...] = get_args(AdjudicationPolicy)
LLM_POLICIES = frozenset({"llm", "llm_agrees_majority"})


class UnknownAdjudicationPolicy(ConfigurationError):
    """A policy name not in ADJUDICATION_POLICIES."""

    code = "unknown_adjudication_policy"


class Decision(NamedTuple):
    label: str | None
    reason: str


def check_adjudication_policy(policy: str) -> str:
    if policy not in ADJUDICATION_POLICIES:
        raise UnknownAdjudicationPolicy(
            f"Unknown adjudication policy {policy!r}; PAPERTRAIL_LLM_POLICY must be one of "
            f"{', '.join(ADJUDICATION_POLICIES)}."
        )
    return policy


def majority_label(hits: Sequence[ExemplarHit]) -> str | None:
    """The most frequent label among the hits, ties broken by summed similarity; None if no hits."""
    votes: dict[str, tuple[int, float]] = {}
    for hit in hits:
        count, score = votes.get(hit.label, (0, 0.0))
        votes[hit.label] = (count + 1, score + hit.score)
    return max(votes, key=votes.__getitem__) if votes else None


def decide(
    policy: str,
    *,
    classifier_label: str,
    majority: str | None,
    llm_label: str | None,
) -> Decision:
    """The label to proceed with, or None for a person; `llm_label` is None when ungrounded."""
    check_adjudication_policy(policy)
    if policy == "human":
        return Decision(None, "policy 'human': escalated documents always go to a person")
    if policy == "top1":
        return Decision(classifier_label, "policy 'top1': classifier's top-1 label")
    if policy == "majority":
        if majority is None:
            return Decision(None, "no majority among retrieved exemplars")
        return Decision(majority, "policy 'majority': majority label of retrieved exemplars")
    if llm_label is None:
        return Decision(None, "LLM answer is not grounded")
    if llm_label == "unknown":
        return Decision(None, "LLM answered 'unknown'")
    if policy == "llm":
        return Decision(llm_label, "policy 'llm': grounded LLM answer")
    if llm_label != majority:
        return Decision(None, f"LLM said {llm_label!r} but the exemplar majority is {majority!r}")
    return Decision(llm_label, "policy 'llm_agrees_majority': LLM agrees with exemplar majority")
