"""Hub fixtures: the API in-process over SQLite (always) and PostgreSQL (when HUB_TEST_PG_URL is set).

In CI (env CI set) a missing PostgreSQL URL fails the run instead of skipping it: .ci/run starts one.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import uuid
from pathlib import Path

import pytest

PG_URL = os.environ.get("HUB_TEST_PG_URL", "")


def _pg_schema_url() -> tuple[str, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in PG_URL else "?"
    return schema, f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db_url(request, tmp_path: Path):
    """A fresh, empty hub database: a SQLite file, or a new schema in the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.sqlite'}"
        return
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the hub tests on PostgreSQL too: HUB_TEST_PG_URL is not set (.ci/run)")
        pytest.skip("HUB_TEST_PG_URL not set")
    from sqlalchemy import create_engine, text

    from hub.config import normalize_url

    schema, url = _pg_schema_url()
    admin = create_engine(normalize_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def hub_config(tmp_path: Path, hub_db_url: str):
    from hub.config import HubConfig, normalize_url

    return HubConfig(data_dir=tmp_path / "hub-data", db_url=normalize_url(hub_db_url))


@pytest.fixture
def hub_server(hub_config):
    """The real app on uvicorn in a thread on a loopback port; its scans' folder and port at hand."""
    from tests.hub.servers import ThreadedHub

    with ThreadedHub(hub_config) as server:
        server.blob_root = hub_config.blob_dir
        server.port = int(server.url.rsplit(":", 1)[1])
        yield server


@pytest.fixture
def hub(hub_server):
    """An httpx client of the threaded hub; the hub's engine reachable as .engine."""
    import httpx

    with httpx.Client(base_url=hub_server.url, timeout=10) as client:
        client.engine = hub_server.engine
        yield client


def enroll(client, name: str = "W03", office: str = "演示县政务服务中心") -> dict[str, str]:
    """Add a device on the hub, exchange its code; the Authorization header for it."""
    from hub import devices

    code = devices.add(client.engine, name, office, 1)
    answer = client.post("/v1/enroll", json={"code": code}).json()
    assert answer["ok"], answer
    return {"Authorization": f"Bearer {answer['token']}"}


def sample_case(seed: int = 1, service: int = 3):
    """A valid accepted case payload made the way the desk makes it."""
    from desktop.domain import catalog
    from desktop.domain.case import ItemState
    from desktop.intake import demo

    cat = catalog.load()
    svc = cat.service(service)
    case = demo.eligible_case(svc, cat, random.Random(seed), dt.date(2026, 11, 27))
    case.state, case.revision = "accepted", 1
    case.number = f"439901-W03-20261127-{seed:04d}"
    case.items = [ItemState(key=i.key, code=i.code, name=i.name) for i in svc.items]
    return case
