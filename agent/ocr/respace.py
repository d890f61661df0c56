"""Put back the spaces RapidOCR's recogniser drops between Latin words ("Totaldue:EUR1165.50"),
taking them from another engine's reading of the same page (Tesseract keeps them).

Each run-together token is aligned with the reference text without its spaces; a space the
reference has between two aligned characters is inserted, and the token's word box is split
by character count. Spaces are never inserted inside a number ("1165.50" stays whole), and a
token that cannot be aligned stays as it is.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from agent.ocr.models import Box, OcrResult, PageText

MIN_TOKEN = 4  # shorter tokens are rarely two words
MIN_MATCHED = 0.8  # share of a token's characters the reference must read the same
_NUMERIC = set("0123456789.,/-:")


class _Reference:
    def __init__(self, text: str) -> None:
        chars, spaces = [], set()
        for ch in text:
            if ch.isspace():
                if chars:
                    spaces.add(len(chars) - 1)  # a space after character len-1
            else:
                chars.append(ch.upper())
        self.text = "".join(chars)
        self.space_after = spaces

    def respace(self, token: str) -> str:
        if len(token) < MIN_TOKEN:
            return token
        upper = token.upper()
        anchor = SequenceMatcher(None, upper, self.text, autojunk=False).find_longest_match(
            0, len(upper), 0, len(self.text))
        if anchor.size < min(len(token), 3):
            return token
        slack = max(4, len(token) // 3)
        start = max(0, anchor.b - anchor.a - slack)
        window = self.text[start:anchor.b - anchor.a + len(token) + slack]
        cuts: set[int] = set()
        matcher = SequenceMatcher(None, upper, window, autojunk=False)
        if sum(b.size for b in matcher.get_matching_blocks()) < MIN_MATCHED * len(token):
            return token  # the reference did not read this token (a garbled page): no spaces
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag not in ("equal", "replace") or i2 - i1 != j2 - j1:
                continue  # equal runs, and one-for-one misreads ('SANYU' for 'SANYO')
            for i, j in zip(range(i1, i2), range(start + j1, start + j2), strict=True):
                if j in self.space_after and i + 1 < len(token) and not (
                        token[i] in _NUMERIC and token[i + 1] in _NUMERIC):
                    cuts.add(i)
        if not cuts:
            return token
        return "".join(ch + (" " if i in cuts else "") for i, ch in enumerate(token))


def _split_box(box: Box, words: list[str]) -> list[Box]:
    text, conf, left, top, width, height = box
    per_char = width / max(len(text), 1)
    out, offset = [], 0
    for word in words:
        out.append((word, conf, int(left + offset * per_char), top,
                    max(1, int(len(word) * per_char)), height))
        offset += len(word) + 1
    return out


def _page(page: PageText, reference: _Reference) -> PageText:
    if page.method != "ocr" or len(page.boxes) != len(page.text.split()):
        return page  # boxes not aligned with the text: leave the page alone
    boxes: list[Box] = []
    lines, k = [], 0
    for line in page.text.split("\n"):
        tokens = line.split()
        words: list[str] = []
        for token in tokens:
            spaced = reference.respace(token).split(" ")
            boxes.extend(_split_box(page.boxes[k], spaced) if len(spaced) > 1 else
                         [page.boxes[k]])
            words.extend(spaced)
            k += 1
        lines.append(" ".join(words))
    return page.model_copy(update={"text": "\n".join(lines), "boxes": boxes,
                                   "words": len(boxes)})


def respace(result: OcrResult, reference: OcrResult) -> OcrResult:
    """`result` with spaces restored from `reference`, page by page."""
    pages = {p.page: p for p in reference.pages}
    out = [_page(p, _Reference(pages[p.page].text)) if p.page in pages else p
           for p in result.pages]
    return result.model_copy(update={"pages": out})
