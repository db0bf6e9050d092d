"""Tests for desktop.domain.idnumber: the reliability.md §1.3 vectors, each error message, masking, properties."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings, strategies as st

from desktop.domain.errors import ValidationError
from desktop.domain.idnumber import (
    LEGACY_WARNING,
    IdNumberError,
    check_digit,
    mask_id,
    mask_name,
    mask_phone,
    normalize,
    parse,
)

TODAY = datetime.date(2026, 5, 20)
PROVINCES = [
    f"{p}"
    for lo, hi in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65))
    for p in range(lo, hi + 1)
]
CHARS = "0123456789X"


def make(first17: str) -> str:
    """A number with the right check character, to isolate one rule at a time."""
    return first17 + check_digit(first17)


# --- reliability.md §1.3 vectors -------------------------------------------------------------------

VALID = [
    "11010519491231002X",
    "440524188001010014",
    "34052419800101001X",
    "440308199901101512",
    "500154199804106120",
    "362324198001010014",
    "44040119580101000X",
    "140120197901010008",
    "111111199901101514",  # county 1111 unknown: accepted, county codes are not checked
]

INVALID = [
    "440308199901101513",
    "110105194912310021",
    "111111199901101512",
    "440308199902301512",
    "440308199902301516",
    "200101199001011239",
    "110105209901011234",
    "44030819990110",
    "911398199012310022",
]


@pytest.mark.parametrize("number", VALID)
def test_reference_vectors_are_valid(number):
    info = parse(number, today=TODAY)
    assert info.number == number
    assert info.kind == "resident"
    assert info.warnings == ()
    assert not info.converted_from_15


@pytest.mark.parametrize("number", INVALID)
def test_reference_vectors_are_invalid(number):
    with pytest.raises(IdNumberError):
        parse(number, today=TODAY)


def test_standard_example_fields():
    info = parse("11010519491231002X", today=TODAY)
    assert info.birth_date == datetime.date(1949, 12, 31)
    assert info.sex == "女"
    assert info.region == "110105"


def test_born_1880_is_valid():
    assert parse("440524188001010014", today=TODAY).birth_date == datetime.date(1880, 1, 1)


def test_sex_follows_17th_digit():
    assert parse("440524188001010014", today=TODAY).sex == "男"
    assert parse("500154199804106120", today=TODAY).sex == "女"


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231 002X ",
        "\u3000110105\u300019491231\u3000002X\u3000",
        "110105-19491231-002x",
        "\ufeff11010519491231002X\u200b",
    ],
)
def test_normalisation(typed):
    assert normalize(typed) == "11010519491231002X"
    assert parse(typed, today=TODAY).number == "11010519491231002X"


def test_fifteen_digits_are_converted_with_a_warning():
    info = parse("610104620927690", today=TODAY)
    assert info.number == "610104196209276908"
    assert info.converted_from_15
    assert info.warnings == (LEGACY_WARNING,)
    assert LEGACY_WARNING == "15位旧身份证号已转换为18位，请核对新号码"
    assert info.birth_date == datetime.date(1962, 9, 27)


@pytest.mark.parametrize("number", ["810000199408230021", "830000199201300022"])
def test_residence_permits(number):
    info = parse(number, today=TODAY)
    assert info.kind == "hmt_permit"
    assert info.region == number[:6]


def test_new_foreign_permanent_residence_card():
    info = parse("911398199012310021", today=TODAY)
    assert info.kind == "foreign"
    assert info.region == "11398"
    assert info.birth_date == datetime.date(1990, 12, 31)
    assert info.sex == "女"


# --- check digit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID + ["610104196209276908", "810000199408230021", "911398199012310021"])
def test_check_digit_matches_vectors(number):
    assert check_digit(number[:17]) == number[17]


@pytest.mark.parametrize(
    "bad", ["", "1234567890123456", "123456789012345678", "1101051949123100X", "１" * 17]
)
def test_check_digit_needs_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


# --- one message per failure -----------------------------------------------------------------------

MESSAGES = [
    ("", "请输入身份证号码"),
    ("   ", "请输入身份证号码"),
    ("11010519491231002", "身份证号码应为18位，现为17位"),
    ("44030819990110", "身份证号码应为18位，现为14位"),
    ("1101051949123100211", "身份证号码应为18位，现为19位"),
    ("4405A4188001010014", "身份证号码含有非法字符“A”（第5位）"),
    ("44052418800101001*", "身份证号码含有非法字符“*”（第18位）"),
    ("4405\x0124188001010014", "身份证号码含有非法字符“U+0001”（第5位）"),
    ("1101X5194912310021", "身份证号码第5位不能是X：X只能是最后一位校验码"),
    ("61010462092769X", "15位旧身份证号码只能由数字组成，不能含有X"),
    ("440308199902301516", "出生日期码（第7–14位）不是有效日期：2月30日不存在"),
    (make("44030819990229151"), "出生日期码（第7–14位）不是有效日期：2月29日不存在（该年不是闰年）"),
    (make("44030819991301151"), "出生日期码（第7–14位）不是有效日期：月份“13”不存在"),
    (make("44030819990100151"), "出生日期码（第7–14位）不是有效日期：1月0日不存在"),
    ("610104620230690", "出生日期码（第7–12位）不是有效日期：2月30日不存在"),
    ("110105209901011234", "出生日期在今天之后"),
    (make("44052418791231001"), "出生日期早于1880年"),
    ("200101199001011239", "省份代码“20”不存在"),
    ("200101900101123", "省份代码“20”不存在"),
    (make("71000019900101123"), "省份代码“71”（台湾）不用于身份证号码；台湾居民居住证号码以830000开头"),
    (make("81000119940823002"), "港澳台居民居住证号码的前6位应为810000"),
    (make("92039819901231002"), "外国人永久居留身份证的省份代码（第2–3位）“20”不存在"),
    ("110105194912310021", "校验码应为X，现为1（号码可能有录错的数字，请逐位核对）"),
    ("440308199901101513", "校验码应为2，现为3（号码可能有录错的数字，请逐位核对）"),
]


@pytest.mark.parametrize(("typed", "message"), MESSAGES)
def test_error_messages(typed, message):
    with pytest.raises(IdNumberError) as caught:
        parse(typed, today=TODAY)
    assert str(caught.value) == message
    assert caught.value.field == "id_number"
    assert isinstance(caught.value, ValidationError)


def test_future_date_is_relative_to_today():
    number = make("43052120260521001")
    with pytest.raises(IdNumberError, match="出生日期在今天之后"):
        parse(number, today=TODAY)
    assert parse(number, today=datetime.date(2026, 5, 21)).birth_date == datetime.date(2026, 5, 21)


def test_today_defaults_to_the_real_date():
    assert parse("11010519491231002X").birth_date.year == 1949


# --- age -------------------------------------------------------------------------------------------


def test_age_on_birthday_and_day_before():
    info = parse(make("43052119900515001"), today=TODAY)
    assert info.age_on(datetime.date(2020, 5, 15)) == 30
    assert info.age_on(datetime.date(2020, 5, 14)) == 29
    assert info.age_on(datetime.date(1990, 5, 15)) == 0
    assert info.age_on(datetime.date(2004, 5, 14)) == 13


def test_age_on_feb_29_birth():
    info = parse(make("43052120000229002"), today=TODAY)
    assert info.age_on(datetime.date(2001, 2, 28)) == 0
    assert info.age_on(datetime.date(2001, 3, 1)) == 1
    assert info.age_on(datetime.date(2004, 2, 28)) == 3
    assert info.age_on(datetime.date(2004, 2, 29)) == 4
    assert info.age_on(datetime.date(2014, 2, 28)) == 13
    assert info.age_on(datetime.date(2014, 3, 1)) == 14


def test_age_on_before_birth_is_a_bug():
    info = parse("11010519491231002X", today=TODAY)
    with pytest.raises(ValueError):
        info.age_on(datetime.date(1949, 12, 30))


# --- properties ------------------------------------------------------------------------------------


@st.composite
def valid_numbers(draw):
    """Valid 18-character numbers of all three kinds, born 1900-01-01 .. TODAY."""
    prefix = draw(
        st.one_of(
            st.builds(lambda p, c: f"{p}{c:04d}", st.sampled_from(PROVINCES), st.integers(0, 9999)),
            st.sampled_from(["810000", "820000", "830000"]),
            st.builds(lambda p, n: f"9{p}{n:03d}", st.sampled_from(PROVINCES), st.integers(0, 999)),
        )
    )
    born = draw(st.dates(datetime.date(1900, 1, 1), TODAY))
    seq = draw(st.integers(0, 999))
    return make(f"{prefix}{born:%Y%m%d}{seq:03d}")


@given(valid_numbers())
def test_valid_numbers_parse(number):
    info = parse(number, today=TODAY)
    assert info.number == number
    assert info.birth_date.strftime("%Y%m%d") == number[6:14]
    assert info.sex == ("男" if int(number[16]) % 2 else "女")


@settings(max_examples=300, deadline=None)
@given(valid_numbers())
def test_every_single_substitution_is_rejected(number):
    for i, original in enumerate(number):
        for ch in CHARS.replace(original, ""):
            variant = number[:i] + ch + number[i + 1 :]
            with pytest.raises(IdNumberError):
                parse(variant, today=TODAY)


@settings(max_examples=300, deadline=None)
@given(valid_numbers())
def test_every_adjacent_swap_is_rejected(number):
    for i in range(17):
        if number[i] != number[i + 1]:
            variant = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            with pytest.raises(IdNumberError):
                parse(variant, today=TODAY)


@st.composite
def mutated_numbers(draw):
    """A valid number with one character replaced, dropped or added: the usual typos."""
    number = draw(valid_numbers())
    i = draw(st.integers(0, 17))
    ch = draw(st.sampled_from(CHARS + "xA "))
    return draw(
        st.sampled_from(
            [number[:i] + ch + number[i + 1 :], number[:i] + number[i + 1 :], number[:i] + ch + number[i:]]
        )
    )


@given(st.one_of(st.text(alphabet=CHARS + "x -Ａ１", min_size=8, max_size=24), mutated_numbers()))
def test_messages_never_repeat_the_number(typed):
    try:
        parse(typed, today=TODAY)
    except IdNumberError as exc:
        assert typed not in str(exc)
        canonical = normalize(typed)
        assert len(canonical) < 8 or canonical not in str(exc)


# --- masking ---------------------------------------------------------------------------------------


def test_mask_id_examples():
    assert mask_id("43052119900101002X") == "430521********002X"
    assert mask_id("4305 2119 9001 0100 2x") == "430521********002X"
    assert mask_id("610104620927690") == "610104********0"
    assert mask_id("12345678") == "123456**"
    assert mask_id("1234567") == "*******"
    assert mask_id("") == ""


@given(valid_numbers())
def test_mask_id_hides_birth_date_of_valid_numbers(number):
    masked = mask_id(number)
    assert len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert number[6:14] not in masked


@given(st.text(alphabet="0123456789X ", min_size=8, max_size=40))
def test_mask_id_never_reveals_positions_7_to_14(text):
    canonical = normalize(text)
    masked = mask_id(text)
    assert len(masked) == len(canonical)
    if len(canonical) >= 14:
        assert canonical[6:14] not in masked
    assert all(ch == "*" for ch in masked[6:14])


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+8613812345678", "138****5678"),
        ("0731-84567890", "********7890"),
        ("84567890", "****7890"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("李小明", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马懿", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("拓跋宏", "拓跋*"),
        ("欧阳", "欧*"),
        ("王", "*"),
        (" 张三 ", "张*"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked
