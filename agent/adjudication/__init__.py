"""LLM adjudication of documents the classifier is unsure of: grounded, validated, recorded."""

from agent.adjudication.adjudicator import Adjudicator
from agent.adjudication.policy import POLICIES, Decision, decide, majority_label
from agent.adjudication.schema import (
    AdjudicationAnswer,
    AdjudicationRecord,
    AdjudicationResult,
)

__all__ = [
    "POLICIES",
    "AdjudicationAnswer",
    "AdjudicationRecord",
    "AdjudicationResult",
    "Adjudicator",
    "Decision",
    "decide",
    "majority_label",
]
