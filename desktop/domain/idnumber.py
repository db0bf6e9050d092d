"""Chinese ID numbers (GB 11643-1999): normalise, validate, and mask for display.

Accepted kinds, all 18 characters with the ISO 7064 MOD 11-2 check character:
- 'resident': 居民身份证, province prefix 11–15, 21–23, 31–37, 41–46, 50–54, 61–65;
- 'hmt_permit': 港澳台居民居住证, address code exactly 810000, 820000 or 830000;
- 'foreign': the 2023 外国人永久居留身份证, first digit 9, digits 2–3 a province code, digits 4–6 the
  nationality (any three digits), then the same birth date, sequence and check as a resident number.
  That layout comes from a third-party library (see reliability.md §1.3), not the NIA's own spec.
A 15-digit first-generation number is converted (insert "19", append the check) and flagged with a
warning, so the clerk asks for the 18-digit number.

Choices:
- Only the province is checked. County codes change while a person's number does not, and we keep no
  history table, so an unknown or abolished county code is accepted silently.
- Birth dates from 1880-01-01 up to today are accepted (the standard's own example is born 1880).
- Error messages may be logged, so they never repeat the number. A bad date names the month and day
  ("2月30日不存在") but never the year; a wrong check character names the expected one, the most
  useful hint for the commonest typo, and still asks the clerk to check every digit.
- Structural errors (characters, length, province, date) are reported before the check character:
  they say where the mistake is, while a wrong check character only says that there is one.
"""

from __future__ import annotations

import datetime

from desktop.domain.errors import ValidationError

TYPE_CHECKING = False  # typing's own flag, without importing typing for `id check` (issue 16); mypy knows the name
if TYPE_CHECKING:
    from desktop.domain.case import Person

FIELD = "id_number"
MIN_BIRTH_YEAR = 1880
LEGACY_WARNING = "15位旧身份证号已转换为18位，请核对新号码"

_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_CHECK_CHARS = "10X98765432"
_ALLOWED = frozenset("0123456789X")
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65))
_PROVINCES = frozenset(str(code) for low, high in _PROVINCE_RANGES for code in range(low, high + 1))
_PERMIT_PROVINCES = frozenset({"81", "82", "83"})

_TO_ASCII = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")
# Separators clerks type or paste from Word and web pages; zero-width characters come with pastes.
_DROPPED = frozenset("-－‐‑–—\u200b\u200c\u200d\u2060\ufeff")

# Two-character surnames that mask_name keeps whole. 单于 is rare; a 单 surname with a given name
# starting 于 (单于飞) then shows one more character, which we accept.
_COMPOUND_SURNAME_TEXT = (
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 "
    "南宫 西门 万俟 闻人 轩辕 澹台 钟离 呼延 赫连 太史 申屠 公冶 濮阳 淳于 单于 拓跋"
)
COMPOUND_SURNAMES = frozenset(_COMPOUND_SURNAME_TEXT.split())


class IdNumberError(ValidationError):
    """An ID number that breaks GB 11643; the message is Chinese and never repeats the number."""

    def __init__(self, message: str, *, field: str | None = FIELD):
        super().__init__(message, field=field)


class IdInfo:
    """What a valid ID number says about its holder; immutable, like a frozen dataclass.

    A plain class rather than a dataclass: `id check` would otherwise import dataclasses (and inspect, ast,
    tokenize) for this one record, a third of its budget (issue 16). Its repr never shows the number."""

    __slots__ = ("number", "kind", "birth_date", "sex", "region", "converted_from_15", "warnings")
    number: str
    kind: str
    birth_date: datetime.date
    sex: str
    region: str
    converted_from_15: bool
    warnings: tuple[str, ...]

    def __init__(self, *, number: str, kind: str, birth_date: datetime.date, sex: str, region: str,
                 converted_from_15: bool, warnings: tuple[str, ...]) -> None:
        for name, value in zip(self.__slots__, (number, kind, birth_date, sex, region, converted_from_15, warnings),
                               strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"IdInfo is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"IdInfo is immutable: cannot delete {name!r}")

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdInfo) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"IdInfo(number={mask_id(self.number)!r}, kind={self.kind!r})"

    def age_on(self, day: datetime.date) -> int:
        """Full years (周岁) on `day`; a Feb 29 birthday falls on Mar 1 in common years."""
        if day < self.birth_date:
            raise ValueError("day is before the birth date")
        years = day.year - self.birth_date.year
        return years - (day < _birthday_in(self.birth_date, day.year))


def _birthday_in(born: datetime.date, year: int) -> datetime.date:
    """The day in `year` on which someone born on `born` gains a year."""
    try:
        return born.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


def normalize(text: str) -> str:
    """Drop spaces and separators, turn full-width digits and x into ASCII, upper-case X."""
    converted = text.translate(_TO_ASCII)
    return "".join(ch for ch in converted if not ch.isspace() and ch not in _DROPPED)


def stored(text: str) -> str:
    """The form an ID number is stored and searched in: the validated 18 characters (a 15-digit number
    converted), or, for a number that does not validate, its normalised text (acceptance refuses it anyway)."""
    try:
        return parse(text).number
    except IdNumberError:
        return normalize(text)


def store_people(*people: Person | None) -> None:
    """Put the ID number of each person (a Person or None) in its stored form, in place (at acceptance)."""
    for person in people:
        if person is not None and person.id_number:
            person.id_number = stored(person.id_number)


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(text: str, *, today: datetime.date | None = None) -> IdInfo:
    """Validate an ID number as typed and describe it; raises IdNumberError."""
    number = normalize(text)
    today = today or datetime.date.today()
    if not number:
        raise IdNumberError("请输入身份证号码")
    _check_characters(number)
    if len(number) == 15:
        return _parse_legacy(number, today)
    if len(number) != 18:
        raise IdNumberError(f"身份证号码应为18位，现为{len(number)}位")
    return _parse_full(number, today)


def _check_characters(number: str) -> None:
    """Reject anything but digits and X, naming the first bad character and its position."""
    for position, ch in enumerate(number, start=1):
        if ch not in _ALLOWED:
            raise IdNumberError(f"身份证号码含有非法字符“{_printable(ch)}”（第{position}位）")


def _printable(ch: str) -> str:
    """The character itself, or its code point when it would not show."""
    return ch if ch.isprintable() else f"U+{ord(ch):04X}"


def _parse_legacy(number: str, today: datetime.date) -> IdInfo:
    """Convert a 15-digit first-generation number to 18 digits and validate that."""
    if "X" in number:
        raise IdNumberError("15位旧身份证号码只能由数字组成，不能含有X")
    _check_province(number[:2])
    _birth_date("19" + number[6:12], today, span="第7–12位")
    full = number[:6] + "19" + number[6:]
    return _parse_full(full + check_digit(full), today, legacy=True)


def _parse_full(number: str, today: datetime.date, *, legacy: bool = False) -> IdInfo:
    """Validate an 18-character number, structure first, then the check character."""
    x_at = number.find("X")
    if 0 <= x_at < 17:
        raise IdNumberError(f"身份证号码第{x_at + 1}位不能是X：X只能是最后一位校验码")
    kind = _kind(number)
    born = _birth_date(number[6:14], today, span="第7–14位")
    _check_check_character(number)
    return IdInfo(
        number=number,
        kind=kind,
        birth_date=born,
        sex="男" if int(number[16]) % 2 else "女",
        region=number[1:6] if kind == "foreign" else number[:6],
        converted_from_15=legacy,
        warnings=(LEGACY_WARNING,) if legacy else (),
    )


def _kind(number: str) -> str:
    """Tell the three kinds apart by their prefix, checking the province code of each."""
    if number[0] == "9":
        if number[1:3] not in _PROVINCES:
            raise IdNumberError(f"外国人永久居留身份证的省份代码（第2–3位）“{number[1:3]}”不存在")
        return "foreign"
    province = number[:2]
    if province in _PERMIT_PROVINCES:
        if number[2:6] != "0000":
            raise IdNumberError(f"港澳台居民居住证号码的前6位应为{province}0000")
        return "hmt_permit"
    _check_province(province)
    return "resident"


def _check_province(province: str) -> None:
    """Reject a province code that mainland resident numbers do not use."""
    if province == "71":
        raise IdNumberError("省份代码“71”（台湾）不用于身份证号码；台湾居民居住证号码以830000开头")
    if province not in _PROVINCES:
        raise IdNumberError(f"省份代码“{province}”不存在")


def _birth_date(digits: str, today: datetime.date, *, span: str) -> datetime.date:
    """Read YYYYMMDD; name a bad month or day but never the year (messages may be logged)."""
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1 <= month <= 12:
        raise IdNumberError(f"出生日期码（{span}）不是有效日期：月份“{digits[4:6]}”不存在")
    if year < MIN_BIRTH_YEAR:
        raise IdNumberError(f"出生日期早于{MIN_BIRTH_YEAR}年")
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        leap_hint = "（该年不是闰年）" if (month, day) == (2, 29) else ""
        raise IdNumberError(f"出生日期码（{span}）不是有效日期：{month}月{day}日不存在{leap_hint}") from None
    if born > today:
        raise IdNumberError("出生日期在今天之后")
    return born


def _check_check_character(number: str) -> None:
    """Compare the 18th character with the one the first 17 digits call for."""
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"校验码应为{expected}，现为{number[17]}（号码可能有录错的数字，请逐位核对）")


def mask_id(number: str) -> str:
    """Keep the first 6 and last 4 characters, always hiding the birth date (positions 7–14)."""
    chars = normalize(number)
    if len(chars) < 8:
        return "*" * len(chars)
    shown_from = max(len(chars) - 4, 14)
    return "".join(ch if i < 6 or i >= shown_from else "*" for i, ch in enumerate(chars))


def mask_phone(phone: str) -> str:
    """Mobile numbers as 138****5678; anything else keeps only its last 4 digits."""
    digits = normalize(phone).removeprefix("+86").removeprefix("0086")
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[7:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(name: str) -> str:
    """Keep the surname only: 张*, 欧阳**; a one-character name becomes *."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    keep = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return name[:keep] + "*" * (len(name) - keep)
