"""Text as lines: the unit every heuristic works on."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Line:
    index: int
    text: str

    @property
    def letters(self) -> int:
        return sum(c.isalpha() for c in self.text)

    @property
    def digits(self) -> int:
        return sum(c.isdigit() for c in self.text)


def split_lines(text: str) -> list[Line]:
    """Non-empty lines, whitespace collapsed, numbered in reading order (page breaks dropped)."""
    lines = []
    for raw in text.replace("\f", "\n").splitlines():
        clean = _SPACES.sub(" ", raw).strip()
        if clean:
            lines.append(Line(len(lines), clean))
    return lines
