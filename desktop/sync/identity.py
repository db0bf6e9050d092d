"""Who this desk is, and whom it trusts, when it talks to the hub.

- `instance(data_dir)`: this desk's identity, sent at enrolment and on every request (X-Desk-Instance): a hash
  of the computer (host name, hardware address when it is a real one) and the data dir's absolute path. A copy
  of the data dir on another computer or in another folder (a clone) presents a different identity with the
  same token, and the hub marks the device for the supervisor (hub/auth.py). Never personal data.
- `verify(path)`: what HTTPS trusts: the county's CA bundle when the setting `hub_ca_bundle` names one, else the
  system's certificate store through truststore (where a county installs its private CA), else certifi.
"""

from __future__ import annotations

import hashlib
import platform
import ssl
import uuid
from pathlib import Path
from typing import Any

from desktop.domain.errors import DeskError


def instance(data_dir: Path) -> str:
    node = uuid.getnode()
    hardware = "" if (node >> 40) & 1 else f"{node:012x}"  # bit 40 set: Python made it up, it changes per run
    raw = f"{platform.node()}|{hardware}|{Path(data_dir).resolve()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def verify(ca_bundle: str | None) -> Any:
    """An SSL context (or True) for httpx; a named bundle that cannot be read is a known error."""
    if ca_bundle:
        try:
            return ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError):
            raise DeskError(f"无法读取汇聚服务器的根证书文件（设置项 hub_ca_bundle：{Path(ca_bundle).name}），"
                            "请确认路径正确、文件为 PEM 格式", field="hub_ca_bundle") from None
    try:
        import truststore  # the system store: only needed when a request goes out (start-up time)
    except ImportError:
        return True
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
