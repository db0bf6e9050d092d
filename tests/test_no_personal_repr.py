"""No class that holds a person's data has a generated repr: a repr in a log line, an exception or a crash
report shows which record it is, never names, ID numbers, phones, answers or anybody's words (the log's number
masking, desktop/domain/redaction.py, cannot catch names). A new dataclass with such a field fails here until it
says `repr=False` (with a hand-written repr of its harmless fields, if one helps)."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import desktop
import hub

PERSONAL = {"name", "applicant", "id_number", "phone", "address", "answers", "note", "notes", "reasons",
            "objections", "original_name", "names", "proxy", "guardian", "detail", "display_name",
            "payload", "body"}
# fields of those names that hold nobody's personal data
NOT_PERSONAL = {
    "desktop.domain.case.ItemState": "name: the 事项's name",
    "desktop.domain.catalog.Item": "the catalog's words", "desktop.domain.catalog.Material": "the catalog's words",
    "desktop.domain.catalog.Service": "the catalog's words", "desktop.domain.states.Action": "an action's name",
    "desktop.forms.fonts.FontFile": "a font file's name", "desktop.forms.office.OfficeInfo": "the hall's own address",
    "desktop.ledger.pdfsplit.Rows": "names: the staff's display names", "hub.auth.Device": "a device's name",
}


def _dataclasses():
    infos = [*pkgutil.walk_packages(desktop.__path__, "desktop."), *pkgutil.walk_packages(hub.__path__, "hub.")]
    for info in infos:
        if info.name.startswith("desktop.ui") or info.name.endswith(".__main__"):  # Qt's widgets; the entry points
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
                yield value


def test_no_dataclass_with_personal_fields_has_a_generated_repr():
    found = list(_dataclasses())
    assert len(found) > 20  # the walk found the model (a broken walk would pass everything)
    generated = {f"{c.__module__}.{c.__qualname__}" for c in found
                 if c.__dataclass_params__.repr and PERSONAL & {f.name for f in dataclasses.fields(c)}}
    assert generated - set(NOT_PERSONAL) == set()
    assert set(NOT_PERSONAL) <= {f"{c.__module__}.{c.__qualname__}" for c in found}  # no stale exception
