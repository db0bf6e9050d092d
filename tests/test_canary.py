"""A canary ID number and phone entered in a case never reach logs, error messages, the audit trail or a crash report."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random

import argon2
import pytest

from desktop.accounts.staff import Accounts
from desktop.domain import idnumber
from desktop.domain.errors import DeskError
from desktop.intake import demo, importer
from desktop.storage import audit, logs

FIRST17 = "43052119800101123"
CANARY_ID = FIRST17 + idnumber.check_digit(FIRST17)
CANARY_PHONE = "13987654321"
SECRETS = (CANARY_ID, CANARY_PHONE, "19800101", "87654321")


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def canary_case(store):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(3), dt.date(2026, 11, 27))
    case.applicant.id_number, case.applicant.phone = CANARY_ID, CANARY_PHONE
    demo.receive_all(service, case)
    return store.accept(case, actor="lixiaolan")


def errors_from(store, case, accounts) -> list[str]:
    """Provoke every kind of refusal around the canary case and collect the messages."""
    attempts = [
        lambda: store.accept(case, actor="lixiaolan"),
        lambda: store.transition(case.uuid, "resume", actor="lixiaolan"),
        lambda: store.load(CANARY_ID),
        lambda: idnumber.parse(FIRST17 + ("0" if CANARY_ID[-1] != "0" else "1")),
        lambda: idnumber.parse(CANARY_ID[:16]),
        lambda: importer.import_case(store, importer.case_to_json(case) | {"service": 99}),
        lambda: importer.import_case(store, importer.case_to_json(case) | {"answers": {"hukou_in_county": "x"}}),
        lambda: accounts.login(CANARY_ID, CANARY_PHONE),
        lambda: accounts.create_admin(CANARY_ID, "测试", CANARY_PHONE),
        lambda: accounts.reveal(None, case.uuid, CANARY_ID),
    ]
    messages = []
    for attempt in attempts:
        with pytest.raises(DeskError) as exc:
            attempt()
        messages.append(str(exc.value))
    return messages


def test_canary_never_leaks(store, canary_case, data_dir):
    logs.setup(data_dir)
    accounts = Accounts(store.db, hasher=argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts.create_admin("admin", "黄建华", "admin-password")
    admin = accounts.login("admin", "admin-password")
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", password="clerk-password", must_change=False)
    clerk = accounts.login("lixiaolan", "clerk-password")
    assert accounts.reveal(clerk, canary_case.uuid, "applicant.id_number") == CANARY_ID
    assert accounts.reveal(clerk, canary_case.uuid, "applicant.phone") == CANARY_PHONE

    messages = errors_from(store, canary_case, accounts)
    assert len(messages) == 10 and not [m for m in messages if leaks(m)], messages

    def buggy_listener(what: str, uuid: str) -> None:  # a bug that puts the whole case in its message
        # (as a dict: a Case's own repr names the case only, tests/test_no_personal_repr.py)
        raise RuntimeError(f"cannot redraw {store.load(uuid).to_dict()!r}")

    store.listeners.append(buggy_listener)
    with pytest.raises(RuntimeError) as crash:
        store.record_event(canary_case.uuid, "printed", actor="lixiaolan")
    assert CANARY_ID in str(crash.value), "the bug really carried the canary"
    try:
        raise crash.value
    except RuntimeError:
        report = logs.log_exception(data_dir)
    logging.getLogger("desktop").info("case %s phone %s", canary_case.uuid, CANARY_PHONE)
    for handler in logging.getLogger("desktop").handlers:
        handler.flush()

    logged = "".join(p.read_text(encoding="utf-8") for p in (data_dir / "logs").iterdir())
    assert report.parent == data_dir / "logs" and "cannot redraw" in logged and canary_case.uuid in logged
    assert leaks(logged) == []

    trail = json.dumps([dict(r) for r in store.db.query("SELECT * FROM audit")], ensure_ascii=False)
    assert "case.reveal" in trail and "printed" in trail and leaks(trail) == []
    assert audit.verify(store.db) is None
