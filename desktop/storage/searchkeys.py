"""Search keys stored at write time: name, pinyin initials (all readings), ID and phone tails, case number.

Keys are indexed text with a one-letter prefix, so every search is an index range scan:
n:name (and each of its tails, so any part of a name finds it)  p:initials  i:id  t:reversed id
m:phone  r:reversed phone  c:case number.
Names and queries are NFC-normalised, so a compatibility ideograph (U+F900…) finds its unified twin; a
character pypinyin has no reading for keeps its place in the initials as WILDCARD, which any letter of a
query matches (so `wy` finds 王𠈌). pypinyin is imported lazily (≈150 ms, ≈65 MB), only when a name is written.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

MAX_VARIANTS = 16
MAX_WILDCARDS = 2  # positions of a query tried as a wildcard (a name rarely has more unreadable characters)
WILDCARD = "?"
# every ideograph block (URO, Extensions A–I in planes 2 and 3), 〇, and the compatibility ideographs
_CJK = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_SELECTORS = re.compile(r"[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def normal(text: str) -> str:
    """The searchable form of a name or query: NFC (compatibility ideographs become their unified twins),
    variation selectors dropped (a variant is found by its base), no spaces."""
    return _SELECTORS.sub("", unicodedata.normalize("NFC", text)).replace(" ", "").replace("\u3000", "")


def initials(name: str, *, heteronym: bool = True) -> list[str]:
    """Every pinyin-initials spelling of `name` (单 → s/d/c), capped at MAX_VARIANTS.

    Person names need every reading (surnames such as 单 曾 解 read differently); service names want only
    the usual reading, or 儿 (er/r) would make 'cjrz' match 残疾儿童入学.
    """
    from pypinyin import Style, pinyin

    letters = pinyin(normal(name), style=Style.FIRST_LETTER, heteronym=heteronym, strict=False,
                     errors=lambda chars: [[WILDCARD if _CJK.match(c) else ""] for c in chars])
    choices = [sorted({c.lower() for c in options if c}) for options in letters]
    choices = [c for c in choices if c]
    return sorted({"".join(p) for p in itertools.islice(itertools.product(*choices), MAX_VARIANTS)})


def name_keys(name: str) -> set[str]:
    """The name and each of its tails (王𠈌明, 𠈌明, 明), so that a prefix scan finds any part of it."""
    name = normal(name)
    return {"n:" + name[i:] for i in range(len(name))}


def keys_for(name: str, id_number: str, phone: str, number: str | None) -> set[str]:
    keys: set[str] = set()
    if normal(name):
        keys.update(name_keys(name))
        keys.update("p:" + v for v in initials(name) if v)
    if id_number:
        keys.update(("i:" + id_number.upper(), "t:" + id_number.upper()[::-1]))
    digits = re.sub(r"\D", "", phone or "")
    if digits:
        keys.update(("m:" + digits, "r:" + digits[::-1]))
    if number:
        keys.add("c:" + number.upper())
    return keys


def query_prefixes(text: str) -> list[str]:
    """The key prefixes a search box entry should match, by what the text looks like."""
    text = normal(text.strip())
    if not text:
        return []
    if _CJK.search(text):
        return ["n:" + text]
    if text.isascii() and text.isalpha():
        return [*("p:" + v for v in with_wildcards(text.lower())), "c:" + text.upper()]
    upper = text.upper()
    if re.fullmatch(r"[0-9X]+", upper):
        out = ["i:" + upper, "t:" + upper[::-1], "m:" + upper, "r:" + upper[::-1], "c:" + upper]
        return out
    return ["c:" + upper]


def with_wildcards(letters: str) -> list[str]:
    """`letters` and its spellings with up to MAX_WILDCARDS letters replaced by WILDCARD (an unread character)."""
    out = [letters]
    for n in range(1, MAX_WILDCARDS + 1):
        for places in itertools.combinations(range(len(letters)), n):
            out.append("".join(WILDCARD if i in places else c for i, c in enumerate(letters)))
    return out
