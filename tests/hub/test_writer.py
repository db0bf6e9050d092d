"""The group writer's two stages (hub/writer.py): the next jobs' files are made durable while the jobs before
them commit, and the database stage takes every job whose files are done in one transaction."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import text

from hub import db
from hub.writer import GroupWriter

WAIT = 10  # seconds: only reached when the stages do not overlap (the test then fails, it does not hang)


@pytest.fixture
def engine(hub_db_url):
    from hub.config import normalize_url

    engine = db.open_engine(normalize_url(hub_db_url))
    yield engine
    engine.dispose()


class _Job:
    """A job with file work: `prepare` notes that it ran; the job itself notes the transaction it ran in."""

    def __init__(self, name: str, log: list[tuple[str, str]], prepared: threading.Event | None = None):
        self.name, self.log, self.prepared = name, log, prepared

    def prepare(self) -> None:
        self.log.append(("files", self.name))
        if self.prepared is not None:
            self.prepared.set()

    def __call__(self, conn):
        self.log.append(("commit", self.name))
        return conn.execute(text("SELECT 1")).scalar()


def test_the_next_jobs_files_are_made_durable_while_a_group_commits_and_their_groups_commit_as_one(engine):
    """Job A commits while B's files, then C's (a file group of its own), are made durable; B and C then commit
    together in one transaction, each only after its own files; every answer after its commit."""
    log: list[tuple[str, str]] = []
    writer = GroupWriter(engine)
    committing, b_done, c_done = threading.Event(), threading.Event(), threading.Event()
    overlapped: list[bool] = []
    groups: list[list[str]] = []
    real_commit = writer._commit

    def commit(jobs):
        groups.append([job.name for job in jobs])
        return real_commit(jobs)

    writer._commit = commit  # type: ignore[method-assign]

    class _Slow(_Job):
        def __call__(self, conn):
            committing.set()
            overlapped.append(c_done.wait(WAIT))  # C's files are made durable while this group commits
            return super().__call__(conn)

    async def scenario():
        loop = asyncio.get_running_loop()
        a = asyncio.ensure_future(writer.run(_Slow("A", log)))
        assert await loop.run_in_executor(None, committing.wait, WAIT)
        b = asyncio.ensure_future(writer.run(_Job("B", log, b_done)))
        assert await loop.run_in_executor(None, b_done.wait, WAIT)
        c = asyncio.ensure_future(writer.run(_Job("C", log, c_done)))
        return await asyncio.gather(a, b, c)

    try:
        assert asyncio.run(scenario()) == [1, 1, 1]
    finally:
        writer.close()
    assert overlapped == [True]
    assert groups == [["A"], ["B", "C"]]  # two file groups, one transaction
    assert log == [("files", "A"), ("files", "B"), ("files", "C"), ("commit", "A"), ("commit", "B"), ("commit", "C")]
