"""Search keys: NFC, every part of a name, wildcards for unread characters, and the migration that re-keys
names stored before (tests/test_rare_names.py runs the rare-name set through the store's search)."""

from __future__ import annotations

import datetime as dt
import random

import sqlite_utils

from desktop.intake import demo
from desktop.storage import migrations, searchkeys


def test_keys_hold_every_tail_of_the_name_normalised():
    keys = searchkeys.keys_for("王\U0002020c\uf900", "", "", None)
    assert {"n:王\U0002020c\u8c48", "n:\U0002020c\u8c48", "n:\u8c48"} <= keys  # 豈 U+F900 → U+8C48
    assert "p:w?q" in keys or "p:w?k" in keys  # 𠈌 has no reading: its place is kept
    assert searchkeys.query_prefixes("吴\uf900") == ["n:吴\u8c48"]
    assert searchkeys.query_prefixes("〇") == ["n:〇"] and searchkeys.query_prefixes("\U00031350") == ["n:\U00031350"]


def test_a_query_tries_each_letter_as_an_unread_character():
    assert searchkeys.with_wildcards("wy") == ["wy", "?y", "w?", "??"]
    assert len(searchkeys.with_wildcards("abcd")) == 1 + 4 + 6  # at most two wildcards


def test_the_migration_rekeys_names_stored_before(store):
    service = store.catalog.service(7)
    case = demo.eligible_case(service, store.catalog, random.Random(1), dt.date(2026, 11, 27))
    demo.receive_all(service, case)
    case.applicant.name = "王\U0002020c明"
    case = store.accept(case, actor="lixiaolan")
    # as an older desk wrote them: the whole name only, the unread character dropped from the initials
    store.db.execute("DELETE FROM case_keys WHERE case_uuid = ? AND key GLOB '[np]:*'", [case.uuid])
    store.db.execute("INSERT INTO case_keys VALUES ('n:王\U0002020c明', ?), ('p:wm', ?)", [case.uuid, case.uuid])
    assert store.search("明") == [] and store.search("wy") == []
    migrations._search_keys_any_part(sqlite_utils.Database(store.db.conn))
    assert [r["uuid"] for r in store.search("明")] == [case.uuid]
    assert [r["uuid"] for r in store.search("wy")] == [case.uuid]
