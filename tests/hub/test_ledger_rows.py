"""The stored ledger rows (hub/ledgerrows.py) on SQLite and PostgreSQL: written with each revision, read by
the ledger without parsing a payload, back-filled at start for cases an older hub stored without them."""

from __future__ import annotations

import httpx
from sqlalchemy import delete, event, select, update

from hub.db import ledger_rows, meta
from tests.hub.conftest import enroll
from tests.hub.servers import ThreadedHub
from tests.hub.test_ledger_api import ledger, put


def test_the_ledger_reads_stored_rows_not_payloads(hub):
    headers = enroll(hub)
    case = put(hub, headers, 1)
    case.applicant.name = "李四"
    put(hub, headers, 1, case=case, revision=2, base=1)  # a new revision rewrites its row in the same transaction
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(hub.engine, "before_cursor_execute", seen)
    try:
        rows = ledger(hub, headers).json()["cases"]
    finally:
        event.remove(hub.engine, "before_cursor_execute", seen)
    assert [(r["applicant_name"], r["revision"]) for r in rows] == [("李四", 2)]
    assert not [s for s in statements if "cases.payload" in s], "the ledger parsed stored payloads"


def test_an_older_hub_s_cases_get_their_rows_at_start(hub_config):
    with ThreadedHub(hub_config) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        client.engine = server.engine
        headers = enroll(client)
        cases = [put(client, headers, n) for n in (1, 2, 3)]
        before = ledger(client, headers).json()["cases"]
        with server.engine.begin() as conn:  # as a hub from before the rows (or of an older VERSION) left them
            conn.execute(delete(ledger_rows).where(ledger_rows.c.case_uuid == cases[0].uuid))
            conn.execute(update(ledger_rows).where(ledger_rows.c.case_uuid == cases[1].uuid).values(version=0, data="{}"))
            conn.execute(delete(meta).where(meta.c.key == "ledger_rows_version"))
    with ThreadedHub(hub_config) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        with server.engine.connect() as conn:
            assert conn.execute(select(ledger_rows.c.version)).scalars().all() == [1, 1, 1]
        assert ledger(client, headers).json()["cases"] == before
