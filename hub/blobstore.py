"""Scans on disk by sha256: each upload's hash verified before it counts, resumable by byte offset.

A blob is stored once on disk, but an office holds it only after one of its devices sent the bytes
(proof of possession), so a device learns nothing about another office's files from the hash.
Each request body is read into memory (bounded) first; a short per-blob lock then appends it to the office's
partial file if the offset still matches, so a stale or cut connection can never corrupt a partial that a
newer request is continuing. All file work happens in a worker thread, never in the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio
from sqlalchemy import Connection, Engine, and_, select
from starlette.requests import ClientDisconnect

from desktop.protocol.files import fsync_dir, sha256_file
from hub.db import insert_ignore, office_blobs, utcnow
from hub.writer import GroupWriter

LOCK_STRIPES = 64
PARTIAL_HOURS = 72.0  # partial uploads older than this are removed when the hub starts
MAX_REQUEST_BYTES = 16 * 1024 * 1024  # one request's body is held in memory; the desk sends ≤ 8 MB at a time


class BlobError(Exception):
    """A refused upload: HTTP status, error code, Chinese message, extra fields for the envelope."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@dataclass(frozen=True)
class Progress:
    """Where an upload stands: held (complete and verified) or how many bytes the partial has."""

    held: bool
    offset: int


class BlobStore:
    """Blob files under `root`, office ownership in the database."""

    def __init__(self, root: Path, engine: Engine, writer: GroupWriter, max_bytes: int):
        self.root, self.engine, self.writer, self.max_bytes = root, engine, writer, max_bytes
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._locks = [asyncio.Lock() for _ in range(LOCK_STRIPES)]
        self._queued: set[tuple[str, str]] = set()  # verified, owner row queued but not yet committed

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def prune(self, max_age_hours: float = PARTIAL_HOURS) -> int:
        """Remove partial uploads and temp files untouched for `max_age_hours` (a desk that never came back to
        finish); a desk that does come back starts that file over. Returns how many were removed."""
        cutoff, removed = time.time() - max_age_hours * 3600, 0
        for path in self.tmp.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # finished or removed by a request meanwhile
                continue
        return removed

    def _part(self, office: str, sha: str) -> Path:
        return self.tmp / f"{sha}.{hashlib.sha256(office.encode()).hexdigest()[:16]}.part"

    def held(self, office: str, hashes: list[str], conn: Connection | None = None) -> list[str]:
        """Those of `hashes` this office holds, verified and present on disk (in `conn`'s transaction if given)."""
        if not hashes:
            return []
        if conn is None:
            with self.engine.connect() as own:
                return self.held(office, hashes, own)
        owned = set(conn.execute(select(office_blobs.c.sha256).where(
            and_(office_blobs.c.office == office, office_blobs.c.sha256.in_(set(hashes))))).scalars())
        return [h for h in hashes if h in owned and self.path(h).exists()]

    def progress(self, office: str, sha: str) -> Progress:
        if (office, sha) in self._queued or self.held(office, [sha]):
            return Progress(True, 0)
        part = self._part(office, sha)
        return Progress(False, part.stat().st_size if part.exists() else 0)

    async def receive(self, office: str, device_id: int, sha: str, offset: int, total: int,
                      stream: AsyncIterator[bytes]) -> Progress:
        """Take the bytes [offset, …) of blob `sha` of `total` bytes from `stream`."""
        if total > self.max_bytes:
            raise BlobError(413, "too_large", f"文件过大（上限 {self.max_bytes // 1024 // 1024} MB）")
        if not 0 <= offset <= total:
            raise BlobError(422, "bad_range", "offset 应在 0 与 total 之间")
        # No "already held?" check first: the desk skips scans the hub confirmed, and a re-sent one costs only
        # its bytes (verified, then found in place); the check would cost every upload a query.
        body = await _read_body(stream, offset, total)
        async with self._locks[int(sha[:8], 16) % LOCK_STRIPES]:
            progress = await anyio.to_thread.run_sync(self._commit, sha, offset, total, body,
                                                      self._part(office, sha))
        if progress.held:
            # The file is durable. The office's owner row is queued, not awaited: the next case PUT (queued
            # after it, so it sees it) is what confirms scans to the desk; if the hub stops before the row is
            # committed, that PUT lists the scan as missing and the desk sends it again.
            rows = self.owner_rows(office, device_id, [(sha, total)])
            self._queued.add((office, sha))
            self.writer.enqueue(lambda conn: insert_ignore(conn, office_blobs, rows),
                                done=lambda: self._queued.discard((office, sha)))
        return progress

    def _commit(self, sha: str, offset: int, total: int, body: bytes, part: Path) -> Progress:
        """In a worker thread, under the blob's lock: verify and install, or add to the office's partial."""
        if offset == 0 and len(body) == total:  # the whole blob in one request: no partial involved
            self.store_whole(sha, body)
            part.unlink(missing_ok=True)
            return Progress(True, 0)
        current = part.stat().st_size if part.exists() else 0
        if offset not in (0, current):
            raise BlobError(409, "offset_mismatch", "续传位置不符，请从服务器给出的位置继续", offset=current)
        with part.open("wb" if offset == 0 else "ab") as f:
            f.write(body)
        size = part.stat().st_size
        if size < total:
            return Progress(False, size)
        if sha256_file(part)[0] != sha:
            part.unlink(missing_ok=True)
            raise BlobError(422, "hash_mismatch", "文件内容与sha256不符，请从头重新上传")
        self._install(part, sha)
        return Progress(True, 0)

    def store_whole(self, sha: str, body: bytes | memoryview) -> None:
        """Verify a complete file against its hash and install it durably (a worker thread's job)."""
        if hashlib.sha256(body).hexdigest() != sha:
            raise BlobError(422, "hash_mismatch", f"文件内容与sha256不符（{sha[:8]}…），请重新上传")
        if self.path(sha).exists():
            return
        tmp = self.tmp / f"{sha}.{uuid.uuid4().hex}.tmp"
        tmp.write_bytes(body)
        self._install(tmp, sha)

    @staticmethod
    def owner_rows(office: str, device_id: int, parts: list[tuple[str, int]]) -> list[dict]:
        now = utcnow()
        return [{"office": office, "sha256": sha, "size": size, "device_id": device_id, "received_at": now}
                for sha, size in parts]

    def _install(self, src: Path, sha: str) -> None:
        """Put the verified file under its hash, durably (file then directory fsynced, in this worker thread:
        concurrent uploads' fsyncs overlap and the filesystem batches them)."""
        final = self.path(sha)
        if final.exists():
            src.unlink(missing_ok=True)
            return
        final.parent.mkdir(exist_ok=True)
        with src.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(src, final)
        fsync_dir(final.parent)


async def _read_body(stream: AsyncIterator[bytes], offset: int, total: int) -> bytes:
    """The request body in memory (bounded), or the prefix that arrived before the connection was cut."""
    body = bytearray()
    try:
        async for chunk in stream:
            body += chunk
            if offset + len(body) > total:
                raise BlobError(422, "too_long", "收到的字节数超过 total")
            if len(body) > MAX_REQUEST_BYTES:
                raise BlobError(413, "request_too_large", "单次上传不超过16 MB，较大的文件请按 offset 分段续传")
    except ClientDisconnect:
        pass  # keep the prefix that arrived: the device resumes from it
    return bytes(body)
