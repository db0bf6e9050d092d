"""The content-addressed store of scans: DATA_DIR/blobs/ab/cdef… named by sha256, written once, never changed."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from desktop.domain.errors import StoreError
from desktop.protocol.files import CHUNK, fsync_dir, sha256_file
from desktop.storage import fileops

__all__ = ["BlobStore", "fsync_dir", "replace_with_retry", "sha256_file"]  # the last two re-exported for intake

SHA_LEN = 64


def replace_with_retry(src: Path, dst: Path) -> None:
    """os.replace, riding out a virus scanner or the search indexer holding a new file for a moment
    (desktop/storage/fileops.py); raises fileops.HeldError if it is held longer."""
    fileops.replace(src, dst, window=1.0)


class BlobStore:
    """Blobs under `root` (normally DATA_DIR/blobs). Putting the same bytes twice is harmless."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def of(cls, data_dir: Path) -> BlobStore:
        return cls(Path(data_dir) / "blobs")

    def path(self, sha: str) -> Path:
        """Where the blob with this hash lives (whether or not it exists yet)."""
        if len(sha) != SHA_LEN or any(c not in "0123456789abcdef" for c in sha):
            raise StoreError(f"不是有效的文件摘要：{sha[:80]!r}")
        return self.root / sha[:2] / sha[2:]

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def read(self, sha: str) -> bytes:
        """The blob's bytes, checked against its name (a damaged blob is refused, never served)."""
        data = self.path(sha).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            raise StoreError(f"扫描件存储已损坏：{self.path(sha)}（内容与摘要不符），请从备份恢复。")
        return data

    def put_file(self, src: Path, expected: str | None = None) -> tuple[str, int]:
        """Copy `src` in (temp, fsync, rename); returns (sha256, size). The copy is hashed as it is written."""
        return self._put(_file_chunks(src), expected)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store bytes made here (a split or merged PDF); returns (sha256, size)."""
        return self._put([data], None)

    def _put(self, chunks: Iterable[bytes], expected: str | None) -> tuple[str, int]:
        if expected and self.has(expected):
            return expected, self.path(expected).stat().st_size
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        try:
            sha, size = _write_hashed(tmp, chunks)
            if expected and sha != expected:
                raise StoreError("扫描文件在复制过程中发生变化（摘要不符），将在下一轮重新处理")
            final = self.path(sha)
            if final.is_file():  # same bytes already stored: keep the first copy untouched
                return sha, size
            final.parent.mkdir(exist_ok=True)
            replace_with_retry(tmp, final)
            fsync_dir(final.parent)
            return sha, size
        finally:
            tmp.unlink(missing_ok=True)

    def sweep_temp(self, *, older_than: float = 3600.0) -> int:
        """Remove temp files a crash left behind (old ones only: a write may be under way); returns how many."""
        gone, cutoff = 0, time.time() - older_than
        for tmp in self.root.glob(".tmp-*") if self.root.is_dir() else []:
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    gone += 1
            except FileNotFoundError:
                continue
        return gone


def _file_chunks(src: Path) -> Iterable[bytes]:
    with open(src, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _write_hashed(dst: Path, chunks: Iterable[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(dst, "xb") as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size
