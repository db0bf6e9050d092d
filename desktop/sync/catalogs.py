"""Published catalogs from the hub: on each sync the signed manifests; a file only when new, checked against
the county's public key pinned at enrolment, then kept (desktop/storage/catalogs.py). Anything that does not
check out is refused with one Chinese sentence, logged, and the desk keeps the catalogs it has."""

from __future__ import annotations

import logging
from typing import Any

from desktop.protocol import catalogsign
from desktop.protocol.catalogsign import CatalogRefusedError
from desktop.storage import catalogs
from desktop.storage.store import Store
from desktop.sync import state as syncstate
from desktop.sync.client import HubClient

log = logging.getLogger("desktop.sync.catalogs")
KEY = "catalog_key"  # sync_state: the county's Ed25519 public key from the enrol answer (base64)
NO_KEY = "本机未保存县级目录签名公钥（登记时服务器尚未生成密钥），不接收新目录；请管理员生成密钥后重新连接服务器"


def fetch(store: Store, client: HubClient) -> tuple[int, list[str]]:
    """(catalogs installed, refusals in Chinese) for this pass."""
    installed, refusals = 0, []
    key = syncstate.get(store.db, KEY)
    for meta in client.catalogs():
        if not isinstance(meta, dict) or catalogs.known(store.db, meta):
            continue
        if not key:  # not recorded as refused: once the key is pinned, the same catalog is taken
            log.warning("catalog not taken: no pinned key hash=%s", str(meta.get("hash"))[:12])
            return installed, [NO_KEY]
        try:
            _take(store, client, key, meta)
        except CatalogRefusedError as exc:
            catalogs.refuse(store.db, meta, str(exc))
            refusals.append(str(exc))
        else:
            installed += 1
            log.info("catalog installed version=%s hash=%s effective=%s", meta["version"], meta["hash"][:12],
                     meta["effective"])
    return installed, refusals


def _take(store: Store, client: HubClient, key: str, meta: dict[str, Any]) -> None:
    catalogsign.check_manifest(meta)
    catalogsign.verify_signature(key, meta)
    content = client.catalog_file(meta["hash"])
    catalogsign.check_content(meta, content)
    catalogs.install(store.db, store.data_dir, meta, content)
