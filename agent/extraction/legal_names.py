"""Legal-entity names in a receipt's header: OCR misreadings of their legal suffixes put right,
and the signs that the name read may not be the issuer's.

Both engines misread the Malaysian legal suffixes the same way often enough that their
agreement is no evidence there: `SDN BHD` run into the word before it (`INTERNATIONALSDN BHD`)
or into one token (`SDNBHD`), `D` read as `I`/`O` (`SIN BHD`), `S` as `5` (`5/B`). The repairs
are by token shape, for any name, and only where the suffix ends a name (`5/B` inside an
address stays). A name that needed one, with no reading that printed it right, is *doubted*:
its confidence is capped (agent.extraction.confidence) and a person sees why.

A header with a brand or shop line above the legal entity's line (`NYONYA COLORS` over
`LITTLE CRAVINGS SDN BHD`) holds two plausible issuer names; which one a finance team books
varies (the legal name mostly), so the pick is doubted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEGAL_FORM = re.compile(  # forms that name a registered entity (not shop words)
    r"\b(?:sdn\.?\s*bhd|sdn|s/b|bhd|berhad|plt|ltd|limited|inc|incorporated|llc|llp|plc|gmbh|"
    r"pte|pty|pvt)\b\.?",
    re.IGNORECASE,
)
_GLUED = re.compile(  # 'INTERNATIONALSDN BHD': the word before run into the suffix
    r"\b(?P<head>[A-Za-z&]{2,}?)(?P<sdn>SDN)(?=\.?\s*[B8R][HN][DO0]\b)", re.IGNORECASE)
_SDN_BHD = re.compile(  # 'SIN BHD', '5DN BHD', 'SDN BH0', 'SDNBHD'
    r"\b(?P<sdn>[S5][DIO0][NM])(?P<sep>\.?\s*)(?P<bhd>[B8R][HN][DO0])\b", re.IGNORECASE)
_SLASH_B = re.compile(  # '5/B', 'S/8' ending a name (before an optional '(reg no)')
    r"(?<=[A-Za-z]{2} )(?P<s>[S5])\s*/\s*(?P<b>[B8])(?=\.?\s*(?:\(.*)?$)")

_ADDRESS_WORDS = {"NO", "LOT", "BLK", "BLOK", "BLOCK", "UNIT", "LEVEL", "TINGKAT", "JALAN", "JLN",
                  "LORONG", "TAMAN", "TMN", "SUITE", "FLOOR", "ROAD", "STREET"}


@dataclass(frozen=True)
class Repair:
    text: str  # the text with its legal suffix put right
    found: tuple[str, ...]  # what was misread, as printed ('INTERNATIONALSDN', 'SIN BHD')


def repair_legal_suffix(text: str) -> Repair:
    """`text` with the legal suffixes `SDN BHD` and `S/B` spelled right where OCR misread
    them, and what it misread."""
    found: list[str] = []

    def glued(m: re.Match[str]) -> str:
        found.append(m.group(0))
        return f"{m['head']} {m['sdn']}"

    def sdn_bhd(m: re.Match[str]) -> str:
        sdn, sep, bhd = m["sdn"], m["sep"], m["bhd"]
        if sdn.upper() == "SDN" and bhd.upper() == "BHD" and sep:
            return m.group(0)
        found.append(m.group(0))
        lower = any(c.islower() for c in sdn + bhd)
        return ("Sdn" if lower else "SDN") + (sep or " ") + ("Bhd" if lower else "BHD")

    def slash_b(m: re.Match[str]) -> str:
        before = {w.upper().strip(".,") for w in m.string[:m.start()].split()}
        if (m["s"] == "S" and m["b"] == "B") or before & _ADDRESS_WORDS:
            return m.group(0)
        found.append(m.group(0))
        return "S/B"

    out = _SLASH_B.sub(slash_b, _SDN_BHD.sub(sdn_bhd, _GLUED.sub(glued, text)))
    return Repair(out, tuple(found))


def has_legal_form(text: str) -> bool:
    return LEGAL_FORM.search(repair_legal_suffix(text).text) is not None
