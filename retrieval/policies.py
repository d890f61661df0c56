"""Label policies: what each document type is and is not, loaded from a user-editable YAML."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from retrieval.errors import PolicyFileError

DEFAULT_POLICIES_FILE = Path(__file__).with_name("policies.yaml")


class Policy(BaseModel):
    """One label's description, quoted in adjudication prompts."""

    label: str
    is_: str = Field(alias="is")
    is_not: str = ""
    fields: list[str] = Field(default_factory=list)

    model_config = {"populate_by_name": True}

    def as_text(self) -> str:
        text = f"{self.label}: {self.is_}"
        return f"{text} Not: {self.is_not}" if self.is_not else text


class PolicySet(BaseModel):
    """All policies of one file, with the file's version and content hash for lineage."""

    version: int | str
    sha256: str
    policies: dict[str, Policy]

    def for_labels(self, labels: list[str]) -> list[Policy]:
        return [self.policies[label] for label in labels if label in self.policies]


def load_policies(path: Path | None = None) -> PolicySet:
    """Parse a policies YAML (`version:` and `policies: {label: {is, is_not, fields}}`)."""
    path = path or DEFAULT_POLICIES_FILE
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyFileError(
            f"Cannot read the policies file {path}: {exc.strerror}. Set "
            "PAPERTRAIL_RETRIEVAL_POLICIES_FILE to an existing YAML or unset it for the default."
        ) from exc
    try:
        data = yaml.safe_load(raw) or {}
        entries = data["policies"]
        policies = {label: Policy(label=label, **body) for label, body in entries.items()}
    except (yaml.YAMLError, KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise PolicyFileError(
            f"The policies file {path} is malformed ({exc}). Expected `version: N` and "
            "`policies:` mapping each label to `is:` (required), `is_not:` and `fields:`."
        ) from exc
    return PolicySet(
        version=data.get("version", 1), sha256=hashlib.sha256(raw).hexdigest(), policies=policies
    )
