"""Every name prints, or is flagged at the door: each character of a person's name and address checked
against the printer's own font lookup (fonts.font_for) when it is typed (the wizard) or imported.

Refused (blocking): a character no bundled face draws, private-use characters (each hall's 造字 differ, so
they print as whatever a font holds there, or a box, and mean nothing at the hub), ideographic description
characters (⿰…: a description of a character, not the character), Kangxi and supplementary radicals
(look like 人 but are not; the ideograph is offered instead), control and invisible characters.
Warned (not blocking): a variation selector whose sequence no face has: the base character prints.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from desktop.domain.case import Case, Person
from desktop.domain.errors import ValidationError
from desktop.forms import fontindex, fonts

WHAT_TO_DO = "请按本厅生僻字造字流程报送造字后再受理，或经申请人确认改用户籍登记的规范字（见 docs/rare-characters.md）"
PEOPLE = (("applicant", "申请人"), ("guardian", "监护人"), ("proxy", "代办人"))
FIELDS = (("name", "姓名"), ("address", "住址"), ("relation", "关系"), ("township", "乡镇"), ("village", "村（社区）"))


@dataclass(frozen=True)
class Finding:
    """One character the door has something to say about: `blocking` ones stop acceptance."""

    field: str
    code: str
    message: str
    blocking: bool


def code_point(text: str) -> str:
    return " ".join(f"U+{ord(c):04X}" for c in text)


def shown(ch: str) -> str:
    """The character in quotes with its code point, or the code point alone where the character would show as
    nothing between the quotes (invisible) or as a box (no face draws it)."""
    if fontindex.is_selector(ch) or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Mn", "Me"):
        return f"（不可见字符，U+{ord(ch):04X}）"
    if fonts.font_for(ch) is None:
        return f"（U+{ord(ch):04X}）"
    return f"“{ch}”（U+{ord(ch):04X}）"


def findings(text: str, label: str, field: str = "") -> list[Finding]:
    """What to say about `text` (a field labelled `label`, e.g. 申请人姓名), one finding per character."""
    out = []
    for i, ch in enumerate(text):
        found = _selector(text, i, label) if fontindex.is_selector(ch) else _character(ch, label)
        if found is not None:
            out.append(Finding(field, found[0], found[1], found[2]))
    return out


def _character(ch: str, label: str) -> tuple[str, str, bool] | None:
    code, where = code_point(ch), f"{label}中的字符{shown(ch)}"
    if "\u2ff0" <= ch <= "\u2fff" or ch == "\u31ef":
        return code, f"{where}是汉字结构描述符，不是汉字本身，无法打印为一个字：{WHAT_TO_DO}", True
    if "\u2e80" <= ch <= "\u2fdf":
        twin = unicodedata.normalize("NFKC", ch)
        instead = f"请改用汉字“{twin}”（U+{ord(twin):04X}）" if twin != ch else WHAT_TO_DO
        return code, f"{where}是部首符号，不是汉字：{instead}", True
    if unicodedata.category(ch) == "Co":
        return code, f"{where}是私用区（自造）字符，打印和同步后会显示为其他字或方框：{WHAT_TO_DO}", True
    if unicodedata.category(ch) in ("Cc", "Cf") or fonts.font_for(ch) is None:
        return code, f"{where}无法打印（所有字体都没有该字形）：{WHAT_TO_DO}", True
    return None


def _selector(text: str, i: int, label: str) -> tuple[str, str, bool] | None:
    ch = text[i]
    base = text[i - 1] if i else ""
    if not base or fontindex.is_selector(base) or unicodedata.category(base) in ("Cc", "Cf", "Zs"):
        return code_point(ch), f"{label}中有多余的不可见字符（异体字选择符 U+{ord(ch):04X}），请删除", True
    if fonts.variant(base, ch) is not None:
        return None
    sequence = f"“{base}”+选择符（{code_point(base + ch)}）"
    return code_point(base + ch), f"{label}中的异体字{sequence}没有对应的异体字形，将打印为基本字“{base}”", False


def for_person(person: Person | None, key: str) -> list[Finding]:
    """Every finding for one of the case's people (`key`: applicant, guardian or proxy)."""
    who = dict(PEOPLE)[key]
    if person is None:
        return []
    return [f for attr, label in FIELDS for f in findings(getattr(person, attr), who + label, f"{key}.{attr}")]


def person_findings(case: Case) -> list[Finding]:
    """Every finding for the case's people (applicant, guardian, proxy): names, addresses, relations."""
    return [f for key, _ in PEOPLE for f in for_person(getattr(case, key), key)]


def check_case(case: Case) -> None:
    """Refuse a case with a character that will not print (the first one, with its code point and remedy)."""
    for found in person_findings(case):
        if found.blocking:
            raise ValidationError(found.message, field=found.field)
