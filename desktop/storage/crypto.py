"""Encryption at rest: the data key of a data dir, wrapped by staff passwords and a recovery key, and the keyed
connection that opens an encrypted desk database (SQLCipher 4: AES-256, an HMAC on every page).

DATA_DIR/keys.json holds no secret in clear: one random 256-bit data key, sealed (AES-256-GCM) once per staff
account under a key derived from the password with argon2id at the login's own parameters, and once under the
recovery key printed at setup. Unlocking puts the data key in this process's keyring; `open_db` and the blob
store take it from there, so no caller changes. The sub-keys of the database and of the scans are derived from
the data key with HMAC-SHA256, so one key never serves two purposes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

from desktop.domain.errors import DeskError, StoreError
from desktop.protocol.files import fsync_dir
from desktop.storage.layout import KEYS_NAME, is_encrypted  # callers name them from here too

# base64, hashlib, hmac and secrets are imported where a key is derived, wrapped or unwrapped: every command opens
# the database through this module, most on a plain data dir that needs none of them (issue 16: ≈9 ms).
TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from typing import Any

FORMAT = "desk-keys/1"
RECOVERY_BYTES = 20  # 160 bits: 32 base32 characters, eight groups of four on the paper
WRONG = "用户名或密码错误，无法解锁本机数据"
# Tests and development only: "1" keeps a new data dir plain at its first administrator (docs/security.md)
ENV_PLAIN = "DESK_PLAIN_DATA"
# argon2id at argon2-cffi's RFC 9106 low-memory profile, the parameters the login hashes with
ARGON = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}

_unlocked: dict[str, bytes] = {}  # resolved data dir → data key, for this process only
_proofs: dict[tuple[str, str], bytes] = {}  # (data dir, username) → proof that this password unwrapped the key


def _where(data_dir: Path) -> str:
    return str(Path(data_dir).resolve())


def plain_allowed() -> bool:
    """May a data dir stay plain? Only where DESK_PLAIN_DATA=1 says so (the test suite, development)."""
    return os.environ.get(ENV_PLAIN) == "1"


def is_unlocked(data_dir: Path) -> bool:
    return _where(data_dir) in _unlocked


def key_for(data_dir: Path) -> bytes | None:
    """The data key of an unlocked data dir; None for a plain one; StoreError while it is locked."""
    if not is_encrypted(data_dir):
        return None
    key = _unlocked.get(_where(data_dir))
    if key is None:
        raise StoreError(f"本机数据已加密，请先登录解锁：{data_dir}")
    return key


def forget(data_dir: Path) -> None:
    """Drop the data key from memory (logout, hand-over); the idle lock does not call this."""
    _unlocked.pop(_where(data_dir), None)
    for proof in [p for p in _proofs if p[0] == _where(data_dir)]:
        del _proofs[proof]


def _proof(key: bytes, username: str, password: str) -> bytes:
    import hashlib
    import hmac

    return hmac.new(subkey(key, "login-proof"), f"{username}\0{password}".encode(), hashlib.sha256).digest()


def proven(data_dir: Path, username: str, password: str) -> bool:
    """Did this very password of this account unwrap the key in this process (since its last change)? The login
    then need not run argon2 a second time (storage/crypto's unwrap already did, at the same cost)."""
    import hmac

    key, name = _unlocked.get(_where(data_dir)), username.strip().lower()
    proof = _proofs.get((_where(data_dir), name))
    return key is not None and proof is not None and hmac.compare_digest(proof, _proof(key, name, password))


def subkey(key: bytes, purpose: str) -> bytes:
    """A key for one purpose (database, blob names, blob sealing) derived from the data key."""
    import hashlib
    import hmac

    return hmac.new(key, f"desk/{purpose}".encode(), hashlib.sha256).digest()


# the database


def errors() -> tuple[type[Exception], ...]:
    """The database errors of both drivers: sqlcipher3's do not derive from sqlite3's.

    Evaluated at every exception through a database call, GeneratorExit included (a query's rows not all read):
    sqlcipher3 raises only if an encrypted connection was made, which loaded it, so it is not loaded here
    (≈10 ms of every command on a plain data dir, issue 16)."""
    driver = sys.modules.get("sqlcipher3.dbapi2")
    return (sqlite3.DatabaseError,) if driver is None else (sqlite3.DatabaseError, driver.DatabaseError)


def connect(path: Path, key: bytes | None) -> Any:
    """A connection to the desk database: plain sqlite3 without a key, SQLCipher (raw key, no PBKDF) with one.

    A wrong key or a damaged file raises the driver's DatabaseError ("file is not a database") here."""
    if key is None:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    import sqlcipher3  # loaded only when a data dir is encrypted

    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA key = \"x'{subkey(key, 'db').hex()}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.execute("PRAGMA temp_store = MEMORY")  # sorts and temp tables never spill to a file outside the key
    return conn


# wrapping the data key


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    import base64

    return base64.b64decode(text)


def _password_kek(password: str, salt: bytes, params: dict[str, int], hash_len: int = 32) -> bytes:
    from argon2.low_level import Type, hash_secret_raw  # argon2 loads only when unlocking

    return hash_secret_raw(password.encode(), salt, hash_len=hash_len, type=Type.ID, **params)


def _pad(text: str) -> str:
    """argon2's PHC strings drop base64's padding."""
    return text + "=" * (-len(text) % 4)


def _recovery_kek(code: str, salt: bytes) -> bytes:
    import base64
    import hashlib
    import hmac

    raw = base64.b32decode(normalise_code(code))
    return hmac.new(salt, raw, hashlib.sha256).digest()


def normalise_code(code: str) -> str:
    """The recovery key as typed (spaces, dashes, lower case, O for 0 …) back to its base32 letters."""
    text = "".join(c for c in code.upper() if c.isalnum()).replace("0", "O").replace("1", "I").replace("8", "B")
    if len(text) != RECOVERY_BYTES * 8 // 5 or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in text):
        raise DeskError("恢复密钥格式不对：应为恢复单上的32个字母和数字", field="recovery_key")
    return text


def new_recovery_code() -> str:
    """A fresh recovery key, in groups of four for the paper."""
    import base64
    import secrets

    text = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode()
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def _seal(kek: bytes, key: bytes, aad: bytes) -> dict[str, str]:
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only when wrapping

    nonce = secrets.token_bytes(12)
    return {"nonce": _b64(nonce), "ct": _b64(AESGCM(kek).encrypt(nonce, key, aad))}


def _open(kek: bytes, wrap: dict[str, str], aad: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag  # only when unwrapping
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(kek).decrypt(_unb64(wrap["nonce"]), _unb64(wrap["ct"]), aad)
    except (InvalidTag, KeyError, ValueError):
        return None


class KeyFile:
    """DATA_DIR/keys.json: the wraps of the data key; written whole (temp, fsync, rename) on every change."""

    def __init__(self, data_dir: Path, doc: dict[str, Any]):
        self.data_dir, self.doc = Path(data_dir), doc

    @classmethod
    def new(cls, data_dir: Path) -> KeyFile:
        import secrets

        return cls(data_dir, {"format": FORMAT, "id": secrets.token_hex(16), "wraps": []})

    @classmethod
    def load(cls, data_dir: Path) -> KeyFile:
        path = Path(data_dir) / KEYS_NAME
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"密钥文件无法读取或已损坏：{path}（{exc}）。请用恢复单恢复。") from None
        if doc.get("format") != FORMAT:
            raise StoreError(f"密钥文件格式不认识：{path}")
        return cls(data_dir, doc)

    def tag(self, username: str) -> str:
        """The wrap's label: not the username itself, so the file does not list the staff."""
        import hashlib

        return hashlib.sha256(f"{self.doc['id']}:{username.strip().lower()}".encode()).hexdigest()[:32]

    def _aad(self, kind: str, tag: str) -> bytes:
        return f"{FORMAT}|{self.doc['id']}|{kind}|{tag}".encode()

    def _replace(self, kind: str, tag: str, wrap: dict[str, Any]) -> None:
        wraps = [w for w in self.doc["wraps"] if not (w["kind"] == kind and w["tag"] == tag)]
        self.doc["wraps"] = [*wraps, {"kind": kind, "tag": tag, **wrap}]

    def wrap_password(self, key: bytes, username: str, password: str) -> None:
        import secrets

        salt, tag = secrets.token_bytes(16), self.tag(username)
        sealed = _seal(_password_kek(password, salt, ARGON), key, self._aad("user", tag))
        self._replace("user", tag, {"salt": _b64(salt), **ARGON, **sealed})

    def wrap_pending(self, key: bytes, username: str, encoded_hash: str) -> None:
        """Wrap the key for an account that existed before setup, whose password nobody here knows: the key
        that seals it is the account's own argon2id login digest (salt and parameters from its stored hash),
        so its password opens the wrap at the same cost as a normal one. The login replaces it by an ordinary
        wrap with a fresh salt (`needs_wrap`), so the sealing key does not stay equal to a stored value."""
        from argon2 import extract_parameters

        params = extract_parameters(encoded_hash)
        salt_b64, digest_b64 = encoded_hash.split("$")[-2:]
        salt, digest = _unb64(_pad(salt_b64)), _unb64(_pad(digest_b64))
        costs = {"time_cost": params.time_cost, "memory_cost": params.memory_cost,
                 "parallelism": params.parallelism}
        tag = self.tag(username)
        sealed = _seal(digest, key, self._aad("user", tag))
        self._replace("user", tag, {"salt": _b64(salt), **costs, "hash_len": len(digest), "pending": True,
                                    **sealed})

    def needs_wrap(self, username: str) -> bool:
        """No wrap of this account's own yet: none at all, or only the pending one made at setup."""
        tag = self.tag(username)
        return not any(w["kind"] == "user" and w["tag"] == tag and not w.get("pending") for w in self.doc["wraps"])

    def wrap_recovery(self, key: bytes, code: str) -> None:
        import secrets

        salt = secrets.token_bytes(16)
        self._replace("recovery", "", {"salt": _b64(salt), **_seal(_recovery_kek(code, salt), key,
                                                                   self._aad("recovery", ""))})

    def remove_user(self, username: str) -> None:
        tag = self.tag(username)
        self.doc["wraps"] = [w for w in self.doc["wraps"] if not (w["kind"] == "user" and w["tag"] == tag)]

    def has_user(self, username: str) -> bool:
        return any(w["kind"] == "user" and w["tag"] == self.tag(username) for w in self.doc["wraps"])

    def open_password(self, username: str, password: str) -> bytes | None:
        import secrets

        tag = self.tag(username)
        for w in self.doc["wraps"]:
            if w["kind"] == "user" and w["tag"] == tag:
                params = {k: int(w[k]) for k in ARGON}
                kek = _password_kek(password, _unb64(w["salt"]), params, int(w.get("hash_len", 32)))
                return _open(kek, w, self._aad("user", tag))
        _password_kek(password, secrets.token_bytes(16), ARGON)  # an unknown name costs the same time
        return None

    def open_recovery(self, code: str) -> bytes | None:
        for w in self.doc["wraps"]:
            if w["kind"] == "recovery":
                return _open(_recovery_kek(code, _unb64(w["salt"])), w, self._aad("recovery", ""))
        return None

    def save(self) -> None:
        import secrets

        path = self.data_dir / KEYS_NAME
        tmp = self.data_dir / f".keys-{secrets.token_hex(16)}.tmp"
        try:
            with open(tmp, "x", encoding="utf-8") as fh:
                json.dump(self.doc, fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            fsync_dir(self.data_dir)
        finally:
            tmp.unlink(missing_ok=True)


def unlock_password(data_dir: Path, username: str, password: str) -> None:
    """Unlock the data dir with a staff password (a wrong one, or a name without a wrap, opens nothing)."""
    key = KeyFile.load(data_dir).open_password(username, password)
    if key is None:
        raise DeskError(WRONG, field="password")
    _unlocked[_where(data_dir)] = key
    name = username.strip().lower()
    _proofs[(_where(data_dir), name)] = _proof(key, name, password)


def unlock_recovery(data_dir: Path, code: str) -> None:
    """Unlock the data dir with the recovery key from the paper in the office's safe."""
    key = KeyFile.load(data_dir).open_recovery(code)
    if key is None:
        raise DeskError("恢复密钥不对，无法解锁本机数据", field="recovery_key")
    _unlocked[_where(data_dir)] = key


def rewrap_user(data_dir: Path, username: str, password: str | None) -> None:
    """Wrap the unlocked data key for `username` under a new password (None: remove their wrap)."""
    key = key_for(data_dir)
    if key is None:
        return
    _proofs.pop((_where(data_dir), username.strip().lower()), None)
    keys = KeyFile.load(data_dir)
    if password is None:
        keys.remove_user(username)
    else:
        keys.wrap_password(key, username, password)
    keys.save()


def scrub(path: Path) -> None:
    """Overwrite a file with zeros (fsynced) and remove it."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        for _ in range(0, size, 1 << 20):
            fh.write(b"\0" * min(1 << 20, size - fh.tell()))
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()


def remember(data_dir: Path, key: bytes) -> None:
    """Hold a data key just made (setup) as unlocked."""
    _unlocked[_where(data_dir)] = key
