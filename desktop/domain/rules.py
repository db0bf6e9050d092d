"""The catalog's rule language: small boolean expressions over case facts, parsed with `ast`, never eval'd.

Grammar (a subset of Python expressions):
    expr   := expr ("and" | "or") expr | "not" expr | compare | atom
    compare:= atom (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") atom)+
    atom   := NAME | NUMBER | "STRING" | true | false | [atom, ...] | ( expr )

Logic is three-valued: a fact that is not known yet (an unanswered question) is None, and anything
that depends on it is None ("待确认") unless the rest decides it: `false and x` is False, `true or x`
is True. A name the catalog does not define is an error at build time, not at run time.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from functools import lru_cache

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_CONSTANTS = {"true": True, "false": False, "True": True, "False": False, "null": None}


class RuleError(ValueError):
    """A rule the language does not allow; the message says what and where."""


@lru_cache(maxsize=4096)
def compile_rule(text: str) -> ast.expr:
    """Parse and check a rule once; raises RuleError for anything outside the grammar."""
    try:
        tree = ast.parse(text.strip() or "true", mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"规则语法错误: {text!r}: {exc.msg}") from None
    _check(tree.body, text)
    return tree.body


def names_in(text: str) -> set[str]:
    """The fact names a rule refers to (for build-time checking)."""
    return {
        n.id for n in ast.walk(compile_rule(text)) if isinstance(n, ast.Name) and n.id not in _CONSTANTS
    }


def compared_strings(text: str) -> list[tuple[str, str]]:
    """(fact name, string) for every string a fact is compared with, e.g. `identity == '低保'`."""
    pairs = []
    for node in ast.walk(compile_rule(text)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        names = [o.id for o in operands if isinstance(o, ast.Name)]
        for o in operands:
            values = o.elts if isinstance(o, (ast.List, ast.Tuple)) else [o]
            pairs += [(n, v.value) for n in names for v in values
                      if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return pairs


def evaluate(text: str, facts: Mapping[str, Any]) -> bool | None:
    """True, False, or None when unknown facts leave the answer open."""
    value = _eval(compile_rule(text), facts)
    return None if value is None else bool(value)


def _check(node: ast.AST, text: str) -> None:
    allowed = (ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare, ast.Name,
               ast.Load, ast.Constant, ast.List, ast.Tuple) + tuple(_COMPARE)
    for sub in ast.walk(node):
        if not isinstance(sub, allowed):
            raise RuleError(f"规则中不允许 {type(sub).__name__}: {text!r}")
        if isinstance(sub, ast.UnaryOp) and isinstance(sub.op, ast.USub) and not isinstance(sub.operand, ast.Constant):
            raise RuleError(f"负号只能用于数字: {text!r}")
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, (bool, int, float, str, type(None))):
            raise RuleError(f"不支持的常量: {text!r}")


def _eval(node: ast.expr, facts: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return _CONSTANTS[node.id] if node.id in _CONSTANTS else facts.get(node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(_eval(e, facts) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, facts)
        if value is None:
            return None
        return (not value) if isinstance(node.op, ast.Not) else -value
    if isinstance(node, ast.BoolOp):
        return _bool_op(node, facts)
    assert isinstance(node, ast.Compare), "parse() lets no other node through"
    return _compare(node, facts)


def _bool_op(node: ast.BoolOp, facts: Mapping[str, Any]) -> bool | None:
    decisive = isinstance(node.op, ast.Or)  # True decides `or`, False decides `and`
    unknown = False
    for value in (_eval(v, facts) for v in node.values):
        if value is None:
            unknown = True
        elif bool(value) == decisive:
            return decisive
    return None if unknown else not decisive


def _compare(node: ast.Compare, facts: Mapping[str, Any]) -> bool | None:
    left = _eval(node.left, facts)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _eval(right_node, facts)
        if left is None or right is None:
            return None
        try:
            if not _COMPARE[type(op)](left, right):
                return False
        except TypeError:
            return False
        left = right
    return True
