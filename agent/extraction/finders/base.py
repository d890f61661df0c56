"""What every finder returns: a value, the rule that produced it, and its source line."""

from __future__ import annotations

from dataclasses import dataclass

from agent.extraction.layout import Line


@dataclass(frozen=True)
class Hit:
    value: object
    rule: str
    line: Line
