"""The rule language: three-valued logic, and nothing outside the grammar gets through."""

import pytest

from desktop.domain.rules import RuleError, compile_rule, evaluate, names_in


@pytest.mark.parametrize(
    ("rule", "facts", "expected"),
    [
        ("age >= 80", {"age": 80}, True),
        ("age >= 80", {"age": 79}, False),
        ("age >= 80", {}, None),
        ("age >= 80 and age < 100", {"age": 100}, False),
        ("80 <= age < 100", {"age": 85}, True),
        ("minor or x", {"minor": True}, True),
        ("minor or x", {"minor": False}, None),
        ("minor and x", {"minor": False}, False),
        ("not has_card", {"has_card": False}, True),
        ("not has_card", {}, None),
        ("grade in [1, 2]", {"grade": 2}, True),
        ("grade not in [1, 2]", {"grade": 2}, False),
        ("category in ['智力', '精神']", {"category": "精神"}, True),
        ("identity == '特困'", {"identity": "低保"}, False),
        ("true", {}, True),
        ("", {}, True),
        ("grade <= 2", {"grade": "x"}, False),
        ("n > -1", {"n": 0}, True),
    ],
)
def test_evaluate(rule, facts, expected):
    assert evaluate(rule, facts) is expected


@pytest.mark.parametrize(
    "rule",
    ["__import__('os')", "a.b", "a[0]", "f(x)", "lambda: 1", "a if b else c", "x + 1", "{1: 2}", "-x", "a = 1"],
)
def test_refuses_anything_outside_the_grammar(rule):
    with pytest.raises(RuleError):
        compile_rule(rule)


def test_names_in_excludes_constants():
    assert names_in("age >= 80 and hukou or true") == {"age", "hukou"}
