"""The audit chain's pure rules, shared by the desk (desktop/storage/audit.py) and the hub (hub/audit.py).

No database and no settings here: the hub imports this module, as it imports desktop/protocol/schema.py.
hash = sha256(prev_hash + canonical JSON of {at, device, username, action, case_uuid, detail}), where
`detail` is the stored canonical JSON text; the first entry's prev_hash is GENESIS (docs/audit.md).
"""

from __future__ import annotations

import json

# SHA-256 from the standard library's own module, the one hashlib itself falls back to without OpenSSL: importing
# hashlib loads OpenSSL's libcrypto (≈0.12× `python -c "import desktop"` of CPU) for one short hash per entry that
# a login writes (issue 16). The same digest; tests/accounts/test_audit.py checks it against hashlib's.
try:
    from _sha2 import sha256  # Python ≥ 3.12
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:  # a Python built without them
        from hashlib import sha256

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

GENESIS = "0" * 64
HASHED = ("at", "device", "username", "action", "case_uuid", "detail")
FIELDS = ("id", *HASHED, "prev_hash", "hash")

# Why the hub refuses an entry a device sends (409); `last` is the last id the hub holds for the device.
REFUSALS = {
    "gap": "第{id}条之前缺少审计记录（服务器上只到第{last}条）",
    "broken": "第{id}条与服务器上的前一条接不上（前一条被删除或改写）",
    "edited": "第{id}条的内容与其哈希不符（被改动）",
    "changed": "第{id}条与服务器先前收到的不同（发送后被改动）",
}


def canonical(value: Any) -> str:
    """The one JSON spelling used for hashing: sorted keys, no spaces, Chinese kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash of an entry; `row['detail']` is the stored canonical text. The hub recomputes it the same way."""
    return sha256((prev_hash + canonical({k: row[k] for k in HASHED})).encode("utf-8")).hexdigest()


def stored_form(entry: dict[str, Any]) -> dict[str, Any]:
    """An exported entry (detail decoded, as audit.export gives and sync sends) as it is stored and hashed."""
    detail = entry["detail"]
    return {k: entry[k] for k in FIELDS} | {"detail": detail if isinstance(detail, str) else canonical(detail)}


def next_refusal(last_id: int, last_hash: str, row: dict[str, Any]) -> str | None:
    """Why `row` (stored form) cannot follow the entry (last_id, last_hash), or None when it links on.
    A row with an id the holder already has is not judged here: compare it with the one held."""
    if row["id"] != last_id + 1:
        return "gap"
    if row_hash(row["prev_hash"], row) != row["hash"]:
        return "edited"
    if row["prev_hash"] != last_hash:
        return "broken"
    return None


def refusal_message(reason: str, entry_id: int, last_id: int) -> str:
    """The hub's refusal in plain Chinese, naming the entry."""
    return REFUSALS[reason].format(id=entry_id, last=last_id)
