"""The case schema's quick yes/no check agrees with the check that names the reasons, for good and bad payloads."""

from __future__ import annotations

import copy
import random

from desktop.protocol import schema
from tests.hub.conftest import sample_case

BAD_VALUES = [None, 1, True, 1.5, "x", [], {}, [1], {"a": 1}]


def _paths(value, path=()):
    """Every path into a JSON value (dict keys and list indexes)."""
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, (*path, key))


def _replace(payload, path, new):
    changed = copy.deepcopy(payload)
    holder = changed
    for key in path[:-1]:
        holder = holder[key]
    if new is _DROP:
        del holder[path[-1]]
    else:
        holder[path[-1]] = new
    return changed


_DROP = object()


def test_the_quick_check_says_yes_exactly_when_no_reason_is_found():
    payloads = [sample_case(seed, service).to_dict() for seed, service in ((1, 3), (2, 7), (3, 15))]
    rng, tried, refused = random.Random(5), 0, 0
    for payload in payloads:
        assert schema._valid(schema.Case)(payload) and not schema._check_value("payload", payload, schema.Case)
        for path in [p for p in _paths(payload) if p]:
            for new in [*rng.sample(BAD_VALUES, 4), _DROP]:
                changed = _replace(payload, path, new)
                reasons = schema._check_value("payload", changed, schema.Case)
                assert schema._valid(schema.Case)(changed) == (not reasons), (path, new, reasons)
                tried, refused = tried + 1, refused + bool(reasons)
        unknown = payload | {"not_a_field": 1}
        assert not schema._valid(schema.Case)(unknown) and schema._check_value("payload", unknown, schema.Case)
    assert tried > 500 and 0 < refused < tried  # both answers were exercised
