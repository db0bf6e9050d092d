"""Group commit: concurrent write requests share one database transaction and one fsync.

Each job runs in its own savepoint inside the group's transaction, so one refused job (a conflict) rolls back
alone; the group commits once and only then does any caller get its answer, so an answer always means durable.
On a busy hub this turns N fsyncs into one; alone, a request pays the same single commit as before.
A job may also say how a run of jobs like it is done at once (`bulk`, e.g. hub/caseputs.py): consecutive such
jobs of a group are handed to it together, in queue order, and it answers each one as the job alone would.
A job may have file work to do first (`prepare`: a case's bundled scans, verified, fsynced, renamed, their
directory fsynced): the writer's thread does it for every job of the group before the group's transaction, so
the files are durable before the commit, and the commit before any answer; one hop per group, not per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
from sqlalchemy import Connection, Engine

from hub import logs
from hub.db import writing
from hub.errors import HubError

Job = Callable[[Connection], Any]
Outcome = tuple[Any, BaseException | None]  # a job's result, or the exception it raised
FILE_THREADS = 8
MAX_WAITING = 2048  # jobs queued for the next group; beyond this the hub sheds load. One desk catching up queues
# up to push.BATCH (256) cases at once: 2048 lets eight do so together, and a group of them is written in a few
# seconds (≈1.5 ms of the writer a case, docs/sync.md), well inside the desk's 30 s timeout


class GroupWriter:
    """`await writer.run(job)`: job(conn) runs in the next group transaction; its result or exception returns."""

    def __init__(self, engine: Engine, max_waiting: int | None = None):
        self.engine, self.max_waiting = engine, max_waiting  # None: MAX_WAITING
        self.queue: list[tuple[Job, asyncio.Future]] = []
        self.lock = asyncio.Lock()
        self._background: set[asyncio.Task] = set()
        # the group's file work side by side: fsyncs of different files overlap (the filesystem batches them)
        self.files = ThreadPoolExecutor(FILE_THREADS, thread_name_prefix="hub-files")

    def close(self) -> None:
        self.files.shutdown(wait=False)

    def enqueue(self, job: Job, done: Callable[[], None] | None = None) -> None:
        """Queue a job for the next group without waiting for it. Jobs run in queue order, so a later `run`
        sees its effect; if the hub stops before the commit, the job is lost (callers must allow for that)."""
        task = asyncio.get_running_loop().create_task(self._quiet(job))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        if done is not None:
            task.add_done_callback(lambda _task: done())

    async def _quiet(self, job: Job) -> None:
        try:
            await self.run(job)
        except Exception as exc:  # nobody waits for this answer; the next case PUT re-checks

            logs.event("background_write_failed", 30, error=type(exc).__name__)

    async def run(self, job: Job) -> Any:
        """Refused with 503 and Retry-After when MAX_WAITING (or the hub's max_waiting) jobs already wait (a
        reconnect storm after an outage): the desks come back spread by their jitter instead of piling up timeouts."""
        result, error = (await self.run_many([job]))[0]
        if error is not None:
            raise error
        return result

    async def run_many(self, jobs: Sequence[Job]) -> list[Outcome]:
        """Several jobs queued at once (the cases of one request): they go into the same group, in order; each
        one's result or exception. They are admitted together while fewer than the ceiling wait (so the queue
        can pass it by one request's cases, hub/bundle.py MAX_CASES), else each gets the 503 `run` raises: one
        desk's request is never half shed."""
        loop, ceiling = asyncio.get_running_loop(), MAX_WAITING if self.max_waiting is None else self.max_waiting
        futures = [loop.create_future() for _ in jobs]
        busy = len(self.queue) >= ceiling
        for job, future in zip(jobs, futures, strict=True):
            if busy:
                future.set_exception(HubError(503, "busy", "服务器繁忙，请稍后重试"))
            else:
                self.queue.append((job, future))
        async with self.lock:
            if not all(future.done() for future in futures):
                batch, self.queue = self.queue, []
                try:
                    outcomes = await anyio.to_thread.run_sync(self._run_group, [j for j, _ in batch])
                except Exception as exc:  # the commit itself failed: nobody's write happened
                    outcomes = [(None, exc)] * len(batch)
                for (_, fut), (result, error) in zip(batch, outcomes, strict=True):
                    if error is not None:
                        fut.set_exception(error)
                    else:
                        fut.set_result(result)
        return [(None, error) if (error := future.exception()) is not None else (future.result(), None)
                for future in futures]

    def _run_group(self, jobs: list[Job]) -> list[Outcome]:
        """Each job's file work first (`prepare`: the scans that came with a case, verified and made durable), then
        the jobs whose files are in place, in one transaction; a job whose files were refused gets its refusal."""
        refused = list(self.files.map(_prepare, jobs)) if len(jobs) > 1 else [_prepare(jobs[0])]
        todo = [job for job, error in zip(jobs, refused, strict=True) if error is None]
        try:
            done = iter(self._commit(todo) if todo else [])
        except Exception as exc:  # the commit itself failed: nobody's write happened
            done = iter([(None, exc)] * len(todo))
        return [(None, error) if error is not None else next(done) for error in refused]

    def _commit(self, jobs: list[Job]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with writing(self.engine) as conn:
            if len(jobs) == 1:  # alone: no savepoint needed, a refusal rolls the group back (run() answers it)
                return [(jobs[0](conn), None)]
            for run in _runs(jobs):
                bulk = getattr(run[0], "bulk", None)
                outcomes += bulk(conn, run) if bulk is not None and len(run) > 1 else [_one(conn, job) for job in run]
        return outcomes


def _prepare(job: Job) -> BaseException | None:
    """The job's work outside the database (hub/caseputs.py PutJob.prepare), or why it was refused."""
    prepare = getattr(job, "prepare", None)
    if prepare is None:
        return None
    try:
        prepare()
    except Exception as exc:
        return exc
    return None


def _one(conn: Connection, job: Job) -> Outcome:
    """A job in its own savepoint: a refused one rolls back alone."""
    savepoint = conn.begin_nested()
    try:
        result = job(conn)
    except Exception as exc:
        savepoint.rollback()
        return None, exc
    savepoint.commit()
    return result, None


def _runs(jobs: list[Job]) -> list[list[Job]]:
    """The jobs cut into runs of consecutive jobs with the same `bulk` (each job without one is a run)."""
    runs: list[list[Job]] = []
    for job in jobs:
        bulk = getattr(job, "bulk", None)
        if runs and bulk is not None and getattr(runs[-1][0], "bulk", None) is bulk:
            runs[-1].append(job)
        else:
            runs.append([job])
    return runs
