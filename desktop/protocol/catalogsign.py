"""A published catalog as desk and hub agree on it: its manifest, the Ed25519 signature over it, and checking a
received file against both (docs/catalog.md, Publishing; docs/sync.md, Catalogs).

The county's administrator signs on the hub (`python -m hub catalog publish`) with the private key written by
`python -m hub catalog keygen`; desks hold the public key pinned at enrolment and refuse anything else.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from desktop.domain import catalog as catalog_mod
from desktop.protocol.schema import canonical_json, is_sha256

MANIFEST_KEYS = ("version", "hash", "sha256", "size", "effective", "note")


class CatalogRefusedError(Exception):
    """A catalog that must not be used: the Chinese sentence says why (no personal data ever in it)."""


def manifest(meta: dict[str, Any]) -> dict[str, Any]:
    """The signed fields only, so what travels beside them (ids, times) can never change what was signed."""
    return {k: meta[k] for k in MANIFEST_KEYS}


def sign(private_pem: bytes, meta: dict[str, Any]) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CatalogRefusedError("签名私钥不是 Ed25519 密钥")
    return base64.b64encode(key.sign(canonical_json(manifest(meta)))).decode("ascii")


def public_key_text(public_pem: bytes) -> str:
    """The public key as the enrol answer carries it: the 32 raw bytes in base64."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

    return base64.b64encode(load_pem_public_key(public_pem).public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def verify_signature(public_key: str, meta: dict[str, Any]) -> None:
    """Raises CatalogRefusedError unless `meta['signature']` is the pinned key's signature of its manifest."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(str(meta.get("signature", "")), validate=True), canonical_json(manifest(meta)))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        raise CatalogRefusedError(f"目录 {meta.get('version', '?')} 的签名与本机登记的县级公钥不符，已拒收") from None


def check_manifest(meta: Any) -> None:
    """The shape of a listed catalog, before anything is fetched."""
    try:
        ok = (is_sha256(meta["hash"]) and is_sha256(meta["sha256"]) and isinstance(meta["size"], int)
              and isinstance(meta["version"], str) and isinstance(meta["note"], str)
              and dt.date.fromisoformat(meta["effective"]).isoformat() == meta["effective"])
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise CatalogRefusedError("服务器列出的目录信息格式不对，已拒收")


def describe(content: bytes) -> dict[str, Any]:
    """version, hash (recomputed from the tables, and checked against the one the build wrote), sha256, size of
    a built catalog file; raises CatalogRefusedError when it is not one."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.sqlite"
        path.write_bytes(content)
        try:
            conn = catalog_mod.connect_read_only(path)
            try:
                meta = catalog_mod.read_meta(conn)
                recomputed = catalog_mod.content_hash(conn, meta.get("version", ""))
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            raise CatalogRefusedError("目录文件已损坏或不是目录数据库") from None
    if not meta.get("version") or meta.get("hash") != recomputed:
        raise CatalogRefusedError("目录文件的内容与其版本哈希不符（文件被改动过或不是由 catalog build 生成）")
    return {"version": meta["version"], "hash": recomputed, "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content)}


def check_content(meta: dict[str, Any], content: bytes) -> None:
    """A fetched file is the one the signed manifest names: its bytes, then its tables and version."""
    if hashlib.sha256(content).hexdigest() != meta["sha256"] or len(content) != meta["size"]:
        raise CatalogRefusedError(f"收到的目录 {meta['version']} 文件与签名所记不符（被改动或传输出错），已拒收")
    found = describe(content)
    if (found["hash"], found["version"]) != (meta["hash"], meta["version"]):
        raise CatalogRefusedError(f"收到的目录 {meta['version']} 内容与签名所记的版本哈希不符，已拒收")
