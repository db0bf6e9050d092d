"""Published catalogs: the county's signing key pair, `catalog publish`, and what desks fetch on sync.

The private key stays in the administrator's file (`python -m hub catalog keygen` writes it 0600 in the hub's
data dir, or where --key says); the hub serves only the public key (in the enrol answer) and signed builds.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from desktop.protocol import catalogsign
from hub.db import catalogs, utcnow, writing

PRIVATE_NAME, PUBLIC_NAME = "catalog-signing.key", "catalog-signing.pub"


class CatalogError(Exception):
    """Bad input to keygen or publish: one Chinese sentence naming the file."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def keygen(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair (never over an existing one: desks pinned its public key); returns the
    public key as desks pin it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if private_path.exists() or public_path.exists():
        raise CatalogError(f"密钥文件已存在，不覆盖：{private_path if private_path.exists() else public_path}"
                           "（已登记的设备认的是原公钥；换钥须所有设备重新连接）")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem)
    public_path.write_bytes(public_pem)
    return catalogsign.public_key_text(public_pem)


def public_key(data_dir: Path) -> str | None:
    """The public key desks pin at enrolment, or None before keygen."""
    path = data_dir / PUBLIC_NAME
    if not path.exists():
        return None
    try:
        return catalogsign.public_key_text(path.read_bytes())
    except ValueError:
        raise CatalogError(f"公钥文件无法读取：{path}") from None


def publish(engine: Engine, key_path: Path, file_path: Path, note: str, effective: str,
            expected_key: str | None) -> dict[str, Any]:
    """Sign and store a built catalog for every desk; returns its manifest (without the file). `expected_key`:
    the hub's public key, which desks pinned; a private key that is not its pair is refused."""
    try:
        day = dt.date.fromisoformat(effective).isoformat()
    except ValueError:
        raise CatalogError(f"生效日期“{effective}”格式不对，应为 YYYY-MM-DD") from None
    if not file_path.is_file():
        raise CatalogError(f"找不到目录文件：{file_path}（先用 python -m desktop catalog build --out 生成）")
    if not key_path.is_file():
        raise CatalogError(f"找不到签名私钥：{key_path}（先运行 python -m hub catalog keygen）")
    if expected_key is None:
        raise CatalogError("本服务器尚无目录签名公钥（先运行 python -m hub catalog keygen，设备登记时会保存公钥）")
    content = file_path.read_bytes()
    try:
        meta = catalogsign.describe(content) | {"effective": day, "note": note.strip()}
    except catalogsign.CatalogRefusedError as exc:
        raise CatalogError(f"{file_path.name}：{exc}") from None
    try:
        meta["signature"] = catalogsign.sign(key_path.read_bytes(), meta)
    except (ValueError, catalogsign.CatalogRefusedError):
        raise CatalogError(f"签名私钥无法读取或不是 Ed25519 私钥：{key_path}") from None
    try:
        catalogsign.verify_signature(expected_key, meta)
    except catalogsign.CatalogRefusedError:
        raise CatalogError(f"{key_path} 不是本服务器的目录签名私钥（与设备登记的公钥不配对），未发布") from None
    with writing(engine) as conn:
        if conn.execute(select(catalogs.c.id).where(catalogs.c.hash == meta["hash"])).first():
            raise CatalogError(f"目录 {meta['version']}（{meta['hash'][:12]}）已发布过")
        conn.execute(catalogs.insert().values(**meta, content=content, published_at=utcnow()))
    return meta


def listing(engine: Engine) -> list[dict[str, Any]]:
    """Every published catalog's manifest and signature (no file): what a desk reads on each sync."""
    cols = [catalogs.c[k] for k in (*catalogsign.MANIFEST_KEYS, "signature", "published_at")]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(*cols).order_by(catalogs.c.id))]


def content(engine: Engine, digest: str) -> bytes | None:
    with engine.connect() as conn:
        return conn.execute(select(catalogs.c.content).where(catalogs.c.hash == digest)).scalar()
