"""The content-addressed store of scans: DATA_DIR/blobs/ab/cdef… named by sha256, written once, never changed.

In an encrypted data dir (storage/crypto.py) each blob is sealed with AES-256-GCM under a key derived from the
data key, its sha256 bound in as associated data, and named by HMAC-SHA256(name key, sha256): the same scan
still lands on the same name (dedup), but a thief holding a known document cannot confirm it is here.
`source(sha)` gives readers the plaintext: the file itself when plain, an in-memory copy when sealed.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path

from desktop.domain.errors import StoreError
from desktop.protocol.files import CHUNK, fsync_dir, sha256_file
from desktop.storage import crypto, fileops

__all__ = ["BlobStore", "PlainBlob", "fsync_dir", "replace_with_retry", "sha256_file"]  # re-exported for intake

SHA_LEN = 64
MAGIC = b"YJSB1"  # a sealed blob: MAGIC, 12-byte nonce, AES-GCM ciphertext and tag


def replace_with_retry(src: Path, dst: Path) -> None:
    """os.replace, riding out a virus scanner or the search indexer holding a new file for a moment
    (desktop/storage/fileops.py); raises fileops.HeldError if it is held longer."""
    fileops.replace(src, dst, window=1.0)


class BlobStore:
    """Blobs under `root` (normally DATA_DIR/blobs). Putting the same bytes twice is harmless."""

    def __init__(self, root: Path, key: bytes | None = None):
        self.root = Path(root)
        self._names = crypto.subkey(key, "blob-name") if key else None
        self._seal = crypto.subkey(key, "blob-seal") if key else None

    @classmethod
    def of(cls, data_dir: Path) -> BlobStore:
        """The blob store of a data dir, sealed when its data is encrypted (StoreError while locked)."""
        return cls(Path(data_dir) / "blobs", crypto.key_for(data_dir))

    def path(self, sha: str) -> Path:
        """Where the blob with this hash lives on disk (whether or not it exists yet); sealed bytes if encrypted."""
        if len(sha) != SHA_LEN or any(c not in "0123456789abcdef" for c in sha):
            raise StoreError(f"不是有效的文件摘要：{sha[:80]!r}")
        name = hmac.new(self._names, sha.encode(), hashlib.sha256).hexdigest() if self._names else sha
        return self.root / name[:2] / name[2:]

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def source(self, sha: str) -> Path | PlainBlob:
        """What a reader opens for the plaintext: the file when plain, a checked in-memory copy when sealed."""
        return self.path(sha) if self._seal is None else PlainBlob(self.read(sha))

    def read(self, sha: str) -> bytes:
        """The blob's bytes, checked against its name (a damaged blob is refused, never served)."""
        data = self._unseal(sha, self.path(sha).read_bytes())
        if hashlib.sha256(data).hexdigest() != sha:
            raise StoreError(f"扫描件存储已损坏：{self.path(sha)}（内容与摘要不符），请从备份恢复。")
        return data

    def put_file(self, src: Path, expected: str | None = None) -> tuple[str, int]:
        """Copy `src` in (temp, fsync, rename); returns (sha256, size). The copy is hashed as it is written."""
        return self._put(_file_chunks(src), expected)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store bytes made here (a split or merged PDF); returns (sha256, size)."""
        return self._put([data], None)

    def _unseal(self, sha: str, data: bytes) -> bytes:
        if self._seal is None:
            return data
        from cryptography.exceptions import InvalidTag  # loaded only for an encrypted data dir
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        n = len(MAGIC)
        try:
            if data[:n] != MAGIC:
                raise InvalidTag
            return AESGCM(self._seal).decrypt(data[n:n + 12], data[n + 12:], sha.encode())
        except InvalidTag:
            raise StoreError(f"扫描件存储已损坏：{self.path(sha)}（无法解密），请从备份恢复。") from None

    def _sealed(self, chunks: Iterable[bytes]) -> tuple[str, int, list[bytes]]:
        """Seal in memory (the plaintext never touches the disk): the hash, the plain size, the sealed bytes."""
        # cryptography loads only for an encrypted data dir
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        data = b"".join(chunks)
        sha, nonce = hashlib.sha256(data).hexdigest(), secrets.token_bytes(12)
        assert self._seal is not None
        return sha, len(data), [MAGIC, nonce, AESGCM(self._seal).encrypt(nonce, data, sha.encode())]

    def _put(self, chunks: Iterable[bytes], expected: str | None) -> tuple[str, int]:
        if expected and self.has(expected):
            return expected, (len(self.read(expected)) if self._seal else self.path(expected).stat().st_size)
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{secrets.token_hex(16)}"
        try:
            if self._seal is None:
                sha, size = _write_hashed(tmp, chunks)
            else:
                sha, size, sealed = self._sealed(chunks)
                _write_hashed(tmp, sealed)
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

    def seal_plain(self, progress=None) -> int:
        """Seal every blob still stored plain (converting a data dir), removing each plain copy once its sealed
        one is durable; safe to repeat after a crash. Returns how many were sealed; `progress(n, total)` hears
        each blob looked at."""
        done = 0
        blobs = sorted(self.root.glob("??/*")) if self.root.is_dir() else []
        for n, plain in enumerate(blobs, 1):
            if progress is not None:
                progress(n, len(blobs))
            sha = plain.parent.name + plain.name
            with open(plain, "rb") as fh:
                if len(sha) != SHA_LEN or fh.read(len(MAGIC)) == MAGIC:
                    continue
            self.put_file(plain, expected=sha)
            crypto.scrub(plain)
            done += 1
        return done

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


class PlainBlob(io.BytesIO):
    """A sealed blob's plaintext in memory, readable where the code reads a Path (read_bytes, open, stat) or a
    file object (Pillow, pypdfium2)."""

    def is_file(self) -> bool:
        return True

    def read_bytes(self) -> bytes:
        return self.getvalue()

    def open(self, mode: str = "rb") -> io.BytesIO:
        return io.BytesIO(self.getvalue())

    def stat(self) -> os.stat_result:
        return os.stat_result((0, 0, 0, 0, 0, 0, len(self.getvalue()), 0, 0, 0))


def keep_aside(data_dir: Path, src: Path, dst: Path) -> None:
    """Move a file into the data dir's keeping (a refused scan to quarantine/): sealed under the data key, with
    its plain source zeroed and removed, when the data dir is encrypted; renamed as it is otherwise."""
    key = crypto.key_for(data_dir)
    if key is None:
        replace_with_retry(src, dst)
        return
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only for an encrypted data dir

    nonce, tmp = secrets.token_bytes(12), dst.with_name(f".tmp-{secrets.token_hex(16)}")
    sealed = AESGCM(crypto.subkey(key, "aside")).encrypt(nonce, src.read_bytes(), dst.name.encode())
    try:
        _write_hashed(tmp, [MAGIC, nonce, sealed])
        replace_with_retry(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    crypto.scrub(src)


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
