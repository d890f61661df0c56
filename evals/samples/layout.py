"""Page layout for the sample documents: fonts, positioned text runs and rules on one A4 page.

A document is laid out once here, in points from the top-left corner, and drawn by `render`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from PIL import ImageFont

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points


# -- fonts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: Path
    bold: Path


def _reportlab_fonts() -> Path:
    import reportlab

    return Path(reportlab.__file__).parent / "fonts"


@cache
def font_families() -> tuple[FontFamily, ...]:
    """TrueType families available here: reportlab's bundled Vera always, DejaVu when installed."""
    rl = _reportlab_fonts()
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    candidates = [
        FontFamily("Vera", rl / "Vera.ttf", rl / "VeraBd.ttf"),
        FontFamily("DejaVuSans", dejavu / "DejaVuSans.ttf", dejavu / "DejaVuSans-Bold.ttf"),
        FontFamily("DejaVuSerif", dejavu / "DejaVuSerif.ttf", dejavu / "DejaVuSerif-Bold.ttf"),
        FontFamily("DejaVuMono", dejavu / "DejaVuSansMono.ttf",
                   dejavu / "DejaVuSansMono-Bold.ttf"),
    ]
    return tuple(f for f in candidates if f.regular.is_file() and f.bold.is_file())


@cache
def pil_font(path: Path, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size=size)


def text_width(family: FontFamily, text: str, size: float, bold: bool = False) -> float:
    """Width in points (a font loaded at `size` px measures in the same unit)."""
    return pil_font(family.bold if bold else family.regular, 100).getlength(text) * size / 100


# -- layout --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    x: float
    y: float  # baseline, from the top of the page
    text: str
    size: float
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.8


@dataclass
class Page:
    """A flowing writer over one A4 page; lines that would overflow the page are dropped."""

    family: FontFamily
    margin: float = 56.0
    y: float = 0.0
    runs: list[Run] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.y = self.margin

    @property
    def full(self) -> bool:
        return self.y > PAGE_H - self.margin

    def text(self, text: str, size: float = 10, bold: bool = False, align: str = "left",
             indent: float = 0.0, gap: float = 1.35) -> None:
        if self.full:
            return
        self.y += size * gap
        width = text_width(self.family, text, size, bold)
        if align == "center":
            x = (PAGE_W - width) / 2
        elif align == "right":
            x = PAGE_W - self.margin - width
        else:
            x = self.margin + indent
        self.runs.append(Run(x, self.y, text, size, bold))
        self.lines.append(text)

    def columns(self, cells: Iterable[str], xs: Iterable[float], size: float = 9.5,
                bold: bool = False, right_from: int | None = None) -> None:
        """One table row; cells from index `right_from` on are right-aligned at their x."""
        if self.full:
            return
        self.y += size * 1.5
        cells = list(cells)
        for i, (cell, x) in enumerate(zip(cells, xs, strict=True)):
            if right_from is not None and i >= right_from:
                x -= text_width(self.family, cell, size, bold)
            self.runs.append(Run(self.margin + x, self.y, cell, size, bold))
        self.lines.append("  ".join(cells))

    def rule(self, weight: float = 0.8) -> None:
        if self.full:
            return
        self.y += 5
        self.rules.append(Rule(self.margin, self.y, PAGE_W - self.margin, self.y, weight))

    def space(self, points: float = 8) -> None:
        self.y += points

    def paragraph(self, text: str, size: float = 10, indent: float = 0.0) -> None:
        """Word-wrapped text across the page width."""
        limit = PAGE_W - 2 * self.margin - indent
        line = ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if line and text_width(self.family, trial, size) > limit:
                self.text(line, size, indent=indent)
                line = word
            else:
                line = trial
        if line:
            self.text(line, size, indent=indent)
