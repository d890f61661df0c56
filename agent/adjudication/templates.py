"""Prompt templates: files under templates/ with an id (the file stem) and a sha256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from papertrail.errors import ConfigurationError

TEMPLATE_DIR = Path(__file__).with_name("templates")


class TemplateNotFound(ConfigurationError):
    """No template file with that id."""

    code = "prompt_template_not_found"


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    text: str
    sha256: str

    def render(self, **values: str) -> str:
        return self.text.format(**values)


def load_template(template_id: str, folder: Path = TEMPLATE_DIR) -> PromptTemplate:
    path = folder / f"{template_id}.txt"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        available = sorted(p.stem for p in folder.glob("*.txt"))
        raise TemplateNotFound(
            f"No prompt template {template_id!r} in {folder}; available: {available}."
        ) from None
    return PromptTemplate(template_id, raw.decode("utf-8"), hashlib.sha256(raw).hexdigest())
