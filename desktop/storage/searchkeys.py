"""Search keys stored at write time: name, pinyin initials (all readings), ID and phone tails, case number.

Keys are indexed text with a one-letter prefix, so every search is an index range scan:
n:name  p:initials  i:id  t:reversed id  m:phone  r:reversed phone  c:case number.
pypinyin is imported lazily (≈150 ms, ≈65 MB) and only when a name is written.
"""

from __future__ import annotations

import itertools
import re

MAX_VARIANTS = 16
_CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")


def initials(name: str, *, heteronym: bool = True) -> list[str]:
    """Every pinyin-initials spelling of `name` (单 → s/d/c), capped at MAX_VARIANTS.

    Person names need every reading (surnames such as 单 曾 解 read differently); service names want only
    the usual reading, or 儿 (er/r) would make 'cjrz' match 残疾儿童入学.
    """
    from pypinyin import Style, pinyin

    letters = pinyin(name, style=Style.FIRST_LETTER, heteronym=heteronym, errors="ignore", strict=False)
    choices = [sorted({c.lower() for c in options if c}) for options in letters if options]
    return sorted({"".join(p) for p in itertools.islice(itertools.product(*choices), MAX_VARIANTS)})


def keys_for(name: str, id_number: str, phone: str, number: str | None) -> set[str]:
    keys: set[str] = set()
    if name:
        keys.add("n:" + name)
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
    text = text.strip().replace(" ", "")
    if not text:
        return []
    if _CJK.search(text):
        return ["n:" + text]
    if text.isascii() and text.isalpha():
        return ["p:" + text.lower(), "c:" + text.upper()]
    upper = text.upper()
    if re.fullmatch(r"[0-9X]+", upper):
        out = ["i:" + upper, "t:" + upper[::-1], "m:" + upper, "r:" + upper[::-1], "c:" + upper]
        return out
    return ["c:" + upper]
