"""OCR's look-alike characters put right by the token they sit in: '0' and '1' inside a word
('L0T', 'Ja1an', 'Leve1') are letters, 'O', 'S', 'I' and 'l' inside a number ('433O0', '1S58')
are digits. Only tokens that are otherwise all letters, or all digits, are touched: mixed codes
('SS21/39', 'UPTOWN3', 'G-5B', 'ORDER0001') are left as printed; a word with three or more
look-alike digits inside it ('F00DICI0US') is still a word. Character for character, so word
boxes stay aligned with the text.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[A-Za-z0-9]+")
_AS_LETTER = {"0": "O", "1": "l"}
_AS_DIGIT = {"O": "0", "o": "0", "S": "5", "I": "1", "l": "1"}


def _fix(token: str, in_amount: bool) -> str:
    """`in_amount`: the token is glued to a decimal part ('8O' in '8O.90')."""
    letters = sum(c.isalpha() for c in token)
    digits = len(token) - letters
    if in_amount or (digits >= 3 and letters and (digits >= letters or token[-1].isdigit())):
        if all(c in _AS_DIGIT for c in token if c.isalpha()) and digits:
            return "".join(_AS_DIGIT.get(c, c) for c in token)
        return token
    if letters == 2 and token[-1].isdigit() and token[0].isupper():
        return token  # a district or grid code: 'BS1', 'EC1', 'SW1'
    if letters >= 2 and letters > digits > 0 and all(c in _AS_LETTER for c in token
                                                      if c.isdigit()):
        upper = sum(c.isupper() for c in token if c.isalpha()) > letters / 2
        return "".join((_AS_LETTER[c].upper() if upper else _AS_LETTER[c]) if c.isdigit()
                       else c for c in token)
    return token


def fix_confusables(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        after = text[m.end():m.end() + 2]
        amount = len(after) == 2 and after[0] in ".," and after[1].isdigit()
        return _fix(m.group(0), amount)

    return _TOKEN.sub(one, text)
