"""Words of Malaysian postal addresses, and OCR misreadings of them put right.

Receipts print their issuer's address in a small vocabulary: street and building words
(`JALAN`, `TAMAN`, `WISMA`, `FLOOR`), Malay words that name places (`BANDAR`, `INDAH`, `JAYA`),
towns, districts and states. Both OCR engines misread a letter of such words often enough
(`PERINOUSTRIAN`, `KENBANGAN`, `GROUND FOOR`), or split (`SELANGO R`) or join them (`SHAHALAM`,
`TAMPOI81200`), that exact match of a whole address fails on one letter. A token outside the
vocabulary that is one edit from exactly one of its words (two for long words) is spelled as
that word; a token every reading printed the same way is left alone, so a street name the list
lacks is not "corrected" into one it has.

The list is general knowledge of Malaysian addresses (street words, the states and federal
territories, large towns and districts), not the words of any labelled set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_STREET = """
JALAN JLN LORONG LRG LEBUH LEBUHRAYA LINGKARAN LINGKUNGAN PERSIARAN SIMPANG TAMAN TMN BANDAR
KAMPUNG KAMPONG KAWASAN PERINDUSTRIAN PERUSAHAAN PERNIAGAAN PERDAGANGAN PUSAT KOMPLEKS BANGUNAN
WISMA MENARA MEDAN DESA SEKSYEN BATU BUKIT SUNGAI KOTA SERI INDAH JAYA BARU UTAMA PERMAI
MUTIARA DAMAI MEWAH RAYA TENGAH UTARA SELATAN TIMUR BARAT PULAU PEKAN MUKIM TINGKAT ARAS BLOK
TAPAK KEDAI PASAR PANGSAPURI KONDOMINIUM RUMAH PERUMAHAN PERSEKUTUAN WILAYAH DARUL EHSAN TAKZIM
AMAN RIDZUAN KHUSUS MAKMUR NAIM PUTRA PUTRI PUTERI PERDANA IMPIAN IDAMAN HARMONI DAYA SETIA
MAJU BAHAGIA SENTOSA MEGAH EMAS BUNGA MELATI MELUR MAWAR CEMPAKA KENANGA ORKID RAHMAN ABDUL
ISMAIL HUSSEIN RAZAK TUNKU TENGKU SULTAN SULTANAH RAJA DATO DATUK HAJI LAKSAMANA TEMENGGUNG
BENDAHARA MAHKOTA ISTANA MASJID STESEN LAPANGAN TERBANG PELABUHAN LAMA KECIL BESAR PANJANG
TINGGI DALAM LUAR HILIR HULU KUALA TELUK TANJUNG TANJONG PADANG LEMBAH GUNUNG AYER PASIR LAUT
SELAT BATANG PARIT KEBUN LADANG DUSUN KUARTERS BESTARI CEMERLANG GEMILANG SEJAHTERA MURNI
SEMARAK WAWASAN MERDEKA
"""
_ENGLISH = """
LEVEL FLOOR GROUND FIRST SECOND THIRD LOWER UPPER MEZZANINE BASEMENT SHOPPING CENTRE CENTER MALL
COMPLEX SQUARE TOWER TOWERS BUILDING BLOCK ROAD STREET AVENUE LANE DRIVE INDUSTRIAL PARK ESTATE
BUSINESS COMMERCIAL CITY GARDEN GARDENS HEIGHTS VILLAGE STATION PLAZA SUITE UNIT POINT WALK
AIRPORT TERMINAL MARKET HOTEL HOSPITAL UNIVERSITY UNIVERSITI MALAYSIA SINGAPORE CAVES SPRINGS
GATEWAY PAVILION CENTRAL SENTRAL VALLEY MEGAMALL GRAND PLACE PROMENADE
"""
_STATES = """
JOHOR KEDAH KELANTAN MELAKA MALACCA NEGERI SEMBILAN PAHANG PERAK PERLIS PINANG PENANG SABAH
SARAWAK SELANGOR TERENGGANU LUMPUR PUTRAJAYA LABUAN CYBERJAYA
"""
_TOWNS = """
PETALING SHAH ALAM SUBANG KLANG KAJANG CHERAS AMPANG RAWANG KEMBANGAN SERDANG SEMENYIH BANGI
PUCHONG KEPONG GOMBAK SETAPAK SELAYANG SENTUL SEGAMBUT BANGSAR DAMANSARA KIARA BALAKONG DENGKIL
SEPANG SALAK SUNWAY KINRARA JALIL BINTANG PUDU KUCHAI JINJANG MELAWATI KERAMAT WANGSA
TITIWANGSA MALURI PANDAN BRICKFIELDS KELANA UPTOWN KEMUNING KAPAR MERU BANTING SERENDAH BULOH
NILAI SEREMBAN SENAWANG DICKSON BAHRU SKUDAI KULAI SENAI TEBRAU GUDANG MASAI PERMAS TAMPOI
PONTIAN MUAR PAHAT KLUANG SEGAMAT MERSING TIRAM LARKIN NUSAJAYA ISKANDAR IPOH TAIPING INTAN
KAMPAR MANJUNG LUMUT SITIAWAN GAJAH KANGSAR GEORGETOWN BUTTERWORTH BAYAN LEPAS JELUTONG PERAI
SEBERANG MERTAJAM KUANTAN TEMERLOH BENTONG GENTING CAMERON KUCHING MIRI SIBU BINTULU KINABALU
SANDAKAN TAWAU ALOR SETAR PETANI KANGAR BHARU KEROH
"""
ADDRESS_WORDS = frozenset((_STREET + _ENGLISH + _STATES + _TOWNS).split())

_MIN_LEN = 4  # shorter tokens ('NO', 'JIN', 'BIK') are one edit from too much
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"^(?P<pre>[^A-Za-z0-9]*)(?P<core>[A-Za-z]+)(?P<post>[^A-Za-z0-9]*)$")
_GLUED_POSTCODE = re.compile(r"^(?P<a>[A-Za-z]{3,})(?P<b>\d{5})$|^(?P<c>\d{5})(?P<d>[A-Za-z]{3,})$")


@dataclass(frozen=True)
class AddressRepair:
    text: str
    changes: tuple[tuple[str, str], ...]  # (as read, as written), in order


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b`, or `limit + 1` once it is certainly above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        best = row[0]
        for j, cb in enumerate(b, 1):
            cur = min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
            prev, row[j] = row[j], cur
            best = min(best, cur)
        if best > limit:
            return limit + 1
    return row[-1]


def nearest_word(token: str, words: Iterable[str] = ADDRESS_WORDS) -> str | None:
    """The one address word within an edit of `token` (two edits from 8 letters), or None when
    there is none or more than one at the smallest distance. Below 8 letters the first letter
    must be kept unless the lengths are equal."""
    upper = token.upper()
    limit = 2 if len(upper) >= 8 else 1
    found: dict[int, list[str]] = {}
    for word in words:
        if len(word) != len(upper) and word[0] != upper[0] and len(upper) < 8:
            continue  # a dropped or extra first letter makes another word ('ANGSA', 'WANGSA')
        d = _distance(upper, word, limit)
        if d <= limit:
            found.setdefault(d, []).append(word)
    if not found:
        return None
    best = found[min(found)]
    return best[0] if len(best) == 1 else None


def _cased(word: str, like: str) -> str:
    if like.islower():
        return word.lower()
    if like[:1].isupper() and like[1:].islower():
        return word.capitalize()
    return word


def repair_address(text: str, confirmed: Iterable[str] = ()) -> AddressRepair:
    """`text` with misread address words put right. `confirmed`: tokens (upper case) another
    reading of the page printed the same way; they are left as read."""
    keep = {t.upper() for t in confirmed}
    tokens = _TOKEN.findall(text)
    changes: list[tuple[str, str]] = []
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        joined = _join(token, nxt)
        if joined is not None:
            changes.append((f"{token} {nxt}", joined))
            out.append(joined)
            i += 2
            continue
        fixed = _one(token, keep)
        if fixed != token:
            changes.append((token, fixed))
        out.append(fixed)
        i += 1
    return AddressRepair(" ".join(out) if changes else text, tuple(changes))


def _join(a: str, b: str) -> str | None:
    """'SELANGO R' -> 'SELANGOR', 'SER I' -> 'SERI': two tokens that are one address word
    together and not both words apart."""
    ma, mb = _WORD.match(a), _WORD.match(b)
    if not ma or not mb or ma["post"] or mb["pre"]:
        return None
    core = ma["core"] + mb["core"]
    if core.upper() not in ADDRESS_WORDS:
        return None
    if ma["core"].upper() in ADDRESS_WORDS and mb["core"].upper() in ADDRESS_WORDS:
        return None
    return ma["pre"] + core + mb["post"]


def _one(token: str, keep: set[str]) -> str:
    """One token: a postcode glued to a word split off, a run-together pair of address words
    split, a misread address word spelled right."""
    if m := _GLUED_POSTCODE.match(token):
        return f"{m['a']} {m['b']}" if m["a"] else f"{m['c']} {m['d']}"
    m = _WORD.match(token)
    if not m:
        return token
    core = m["core"]
    upper = core.upper()
    if len(core) < _MIN_LEN or upper in ADDRESS_WORDS or upper in keep:
        return token
    for cut in range(3, len(core) - 2):  # 'SHAHALAM' -> 'SHAH ALAM'
        if upper[:cut] in ADDRESS_WORDS and upper[cut:] in ADDRESS_WORDS:
            return f"{m['pre']}{core[:cut]} {core[cut:]}{m['post']}"
    word = nearest_word(core)
    return f"{m['pre']}{_cased(word, core)}{m['post']}" if word else token
