"""Bounded texts and stored ID numbers on real SQLite files: the limits at acceptance, the database's triggers
behind them, and the migration that normalises ID numbers written before."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3

import pytest

from desktop.domain import idnumber, limits
from desktop.domain.errors import ValidationError
from desktop.intake import demo
from desktop.storage.migrations import MIGRATIONS

DAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, 10, 30).astimezone()


def ready(store, seed: int = 1):
    service = store.catalog.service(3)
    case = demo.eligible_case(service, store.catalog, random.Random(seed), DAY)
    demo.receive_all(service, case)
    return case


@pytest.mark.parametrize("key", sorted(limits.PERSON))
def test_acceptance_refuses_every_person_text_over_its_limit_by_field(store, key):
    case = ready(store)
    setattr(case.applicant, key, "长" * (limits.PERSON[key] + 1))
    with pytest.raises(ValidationError) as refused:
        store.accept(case, now=NOW)
    assert refused.value.field in (f"applicant.{key}", "applicant.id_number", "applicant.phone")
    assert store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_the_database_holds_accepted_cases_to_the_limits_and_drafts_to_the_payload_size(store):
    case = store.accept(ready(store), now=NOW)
    for column, limit in (("applicant_name", 40), ("id_number", 32), ("phone", 20), ("township", 40),
                          ("village", 40), ("clerk", 100)):
        with pytest.raises(sqlite3.IntegrityError, match="text_limit"):
            store.db.execute(f"UPDATE cases SET {column} = ? WHERE uuid = ?", ["长" * (limit + 1), case.uuid])
        store.db.execute(f"UPDATE cases SET {column} = ? WHERE uuid = ?", ["长" * limit, case.uuid])
    draft = ready(store, seed=2)
    draft.applicant.address = "地" * 5000  # a draft is saved as it stands, over the limit or not
    draft.applicant.name = "名" * 100
    store.save_draft(draft)
    draft.applicant.address = "地" * 1_000_001
    with pytest.raises(sqlite3.IntegrityError, match="text_limit"):
        store.save_draft(draft)
    with pytest.raises(sqlite3.IntegrityError, match="text_limit"):
        store.db.execute("INSERT INTO users (username, display_name, role, password_hash, created_at)"
                         " VALUES ('x1', ?, 'clerk', 'h', 'now')", ["名" * 21])


def test_acceptance_stores_the_id_numbers_as_validated(store):
    case = ready(store)
    full = case.applicant.id_number
    case.applicant.id_number = " ".join([full[:6], full[6:14], full[14:]]).translate(str.maketrans("0123456789",
                                                                                                 "０１２３４５６７８９"))
    accepted = store.accept(case, now=NOW)
    assert store.load(accepted.uuid).applicant.id_number == full
    assert [r["uuid"] for r in store.search(full)] == [accepted.uuid]


def test_the_migration_normalises_id_numbers_written_before(store):
    case = store.accept(ready(store), now=NOW)
    full = case.applicant.id_number
    legacy_guardian = "430682730122044"
    typed = full[:6] + " " + full[6:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    payload = json.loads(store.db.execute("SELECT payload FROM cases").fetchone()[0])
    payload["applicant"]["id_number"] = typed
    payload["guardian"] = {**(payload.get("guardian") or {}), "name": "张桂兰", "id_number": legacy_guardian}
    # What an older desk wrote: the number as typed, in the column, the payload and the search keys.
    store.db.execute("UPDATE cases SET id_number = ?, payload = ?", [typed, json.dumps(payload, ensure_ascii=False)])
    store.db.execute("DELETE FROM case_keys WHERE key LIKE 'i:%' OR key LIKE 't:%'")
    store.db.execute("INSERT INTO case_keys VALUES (?, ?)", ["i:" + typed, case.uuid])
    assert store.search(full) == []
    store.db.execute("DELETE FROM _sqlite_migrations WHERE name = '0007_normalised_id_numbers'")
    MIGRATIONS.apply(store.db.conn)
    again = store.load(case.uuid)
    assert again.applicant.id_number == full
    assert again.guardian.id_number == idnumber.parse(legacy_guardian).number
    assert [r["uuid"] for r in store.search(full)] == [case.uuid]
    assert store.rows("uuid = ?", [case.uuid])[0]["id_number"] == full
