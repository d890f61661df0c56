"""Label guidance: what each document type is and is not, from a user-editable YAML.

The adjudication prompt quotes the guidance of the labels it offers. (Business rules' approval
policies live in agent/rules; who decides an escalated document is the adjudication policy.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from retrieval.errors import LabelGuidanceError

DEFAULT_GUIDANCE_FILE = Path(__file__).with_name("policies.yaml")


class LabelGuide(BaseModel):
    """One label's description, quoted in adjudication prompts."""

    label: str
    is_: str = Field(alias="is")
    is_not: str = ""
    fields: list[str] = Field(default_factory=list)

    model_config = {"populate_by_name": True}

    def as_text(self) -> str:
        text = f"{self.label}: {self.is_}"
        return f"{text} Not: {self.is_not}" if self.is_not else text


class LabelGuidance(BaseModel):
    """Every label's guide from one file, with the file's version and content hash for lineage."""

    version: int | str
    sha256: str
    guides: dict[str, LabelGuide]

    def for_labels(self, labels: list[str]) -> list[LabelGuide]:
        return [self.guides[label] for label in labels if label in self.guides]


def load_label_guidance(path: Path | None = None) -> LabelGuidance:
    """Parse a guidance YAML (`version:` and `policies: {label: {is, is_not, fields}}`)."""
    path = path or DEFAULT_GUIDANCE_FILE
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LabelGuidanceError(
            f"Cannot read the label guidance file {path}: {exc.strerror}. Set "
            "PAPERTRAIL_RETRIEVAL_POLICIES_FILE to an existing YAML or unset it for the default."
        ) from exc
    try:
        data = yaml.safe_load(raw) or {}
        entries = data["policies"]
        guides = {label: LabelGuide(label=label, **body) for label, body in entries.items()}
    except (yaml.YAMLError, KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise LabelGuidanceError(
            f"The label guidance file {path} is malformed ({exc}). Expected `version: N` and "
            "`policies:` mapping each label to `is:` (required), `is_not:` and `fields:`."
        ) from exc
    return LabelGuidance(
        version=data.get("version", 1), sha256=hashlib.sha256(raw).hexdigest(), guides=guides
    )
