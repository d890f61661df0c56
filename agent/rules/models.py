"""Rule sets: one YAML file per document type, with a version. Parsed strictly at start-up."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    message: str | None = Field(None, description="Shown to the reviewer when the rule fails.")


class Required(_Rule):
    type: Literal["required"]
    field: str


class Regex(_Rule):
    type: Literal["regex"]
    field: str
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class Range(_Rule):
    type: Literal["range"]
    field: str
    min: float | None = None
    max: float | None = None


class DateNotFuture(_Rule):
    type: Literal["date_not_future"]
    field: str


class SumEquals(_Rule):
    type: Literal["sum_equals"]
    items_field: str = Field(description="A list of amounts, or of objects with an `amount`.")
    total_field: str
    tolerance: float = 0.01


class Duplicate(_Rule):
    type: Literal["duplicate"]
    fields: list[str] = Field(min_length=1)


class FieldConfidence(_Rule):
    """Each listed field, when present, has at least this confidence (0-1, from its evidence:
    OCR word confidence, agreement between readings, cross-field checks)."""

    type: Literal["field_confidence"]
    minimum: dict[str, float] = Field(min_length=1, description="Field -> lowest confidence.")

    @field_validator("minimum")
    @classmethod
    def _probabilities(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0.0 <= v <= 1.0}
        if bad:
            raise ValueError(f"confidences are between 0 and 1, got {bad}")
        return value


class ChecksPass(_Rule):
    """None of the listed cross-field checks (agent.extraction.checks) is contradicted."""

    type: Literal["checks_pass"]
    checks: list[str] = Field(min_length=1, description="e.g. total_arithmetic, "
                              "date_plausible, one_currency.")


Rule = Annotated[Required | Regex | Range | DateNotFuture | SumEquals | Duplicate |
                 FieldConfidence | ChecksPass, Field(discriminator="type")]


class ReviewAbove(_Rule):
    type: Literal["review_above"]
    field: str
    limit: float


class AlwaysReview(_Rule):
    type: Literal["always_review"]


ApprovalPolicy = Annotated[ReviewAbove | AlwaysReview, Field(discriminator="type")]


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_type: str
    version: str
    rules: list[Rule] = Field(default_factory=list)
    policies: list[ApprovalPolicy] = Field(default_factory=list)


class RuleResult(BaseModel):
    rule_id: str
    kind: Literal["rule", "policy"]
    passed: bool | None = Field(description="None when the rule did not apply (e.g. no value).")
    message: str
    values: dict[str, object] = Field(default_factory=dict)
    requires_review: bool = False
