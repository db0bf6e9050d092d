"""Signatures given on screen (电子签名), kept with the case: each image a content-addressed blob like a scan, each
signature a timeline entry 电子签名 naming the paper part, who signed (委托人 or 受托人, never the image) and the
short digest of the paper's content it was given on (desktop/forms/esign.py computes it).

A signing round (委托人 and 受托人 on the 委托书, 委托人 on the separate consent) is stored all at once or not at
all: the blobs first (an orphan blob is harmless), then every timeline entry in one transaction. A later round
supersedes an earlier one; the newest signature of each (part, signer) is the one printed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from desktop.domain.errors import ValidationError
from desktop.domain.wording import ESIGN_PARTS, ESIGN_SIGNERS
from desktop.storage.blobs import BlobStore
from desktop.storage.store import Store, now_local

KIND = "esign"


@dataclass(frozen=True)
class Given:
    """One signature as captured: the paper part, who, the PNG image and the content digest it was given on."""

    part: str
    signer: str
    png: bytes
    digest: str


def save(store: Store, uuid: str, given: list[Given], *, actor: str = "", now: dt.datetime | None = None) -> None:
    """Store a signing round with the case `uuid` (timeline 电子签名, audit case.esign)."""
    for g in given:
        if g.part not in ESIGN_PARTS or g.signer not in ESIGN_SIGNERS or not g.png or not g.digest:
            raise ValidationError("电子签名：签名不完整，未保存", field="signature")
    now = now or now_local()
    blobs = BlobStore.of(store.data_dir)
    stored = [(g, blobs.put_bytes(g.png)[0]) for g in given]
    with store.db.atomic():
        for g, sha in stored:
            detail = {"part": g.part, "signer": g.signer, "digest": g.digest, "sha256": sha}
            store._event(uuid, now, KIND, actor, detail)
            store._audited(actor, "case.esign", uuid, {"part": g.part, "signer": g.signer}, now)
    store._changed(KIND, uuid)


def latest(events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(part, signer) → the newest 电子签名 entry's detail plus `at`, from a case's timeline."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for e in events:
        if e["kind"] == KIND:
            found[(e["detail"]["part"], e["detail"]["signer"])] = {**e["detail"], "at": e["at"]}
    return found


def images(store: Store, events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Like `latest`, each with its image bytes as `png` (read from the blob store)."""
    blobs = BlobStore.of(store.data_dir)
    return {key: {**d, "png": blobs.read(d["sha256"])} for key, d in latest(events).items()}


def blob_hashes(store: Store, case_uuid: str) -> list[str]:
    """The signature images a case's sync carries along with its scans."""
    rows = store.db.query("SELECT detail FROM events WHERE case_uuid = ? AND kind = ?", [case_uuid, KIND])
    return sorted({json.loads(r["detail"])["sha256"] for r in rows})
