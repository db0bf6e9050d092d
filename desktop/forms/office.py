"""What the paper says about the office that prints it: name, address, phone, and the county's choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OfficeInfo:
    """The printing office; `consent_mask_id` masks the principal's ID number on the 委托书."""

    office: str = ""
    county_name: str = ""
    address: str = ""
    phone: str = ""
    complaint_phone: str = ""  # 监督投诉电话, printed apart from the hall's phone (default 12345)
    consent_mask_id: bool = False
    rating_url: str = ""  # another 好差评 page than the hub's, "{code}" replaced by the case's code
    progress_url: str = ""  # the hub's public address for progress pages, e.g. https://hub.example/p/{code}

    def qr_payload(self, number: str, code: str = "") -> str:
        """What the receipt's QR holds: the hub's progress page for the case's random code, else the number.

        The number alone never opens anything (anyone could read a case by guessing numbers)."""
        return _with_code(self.progress_url, code) if self.progress_url and code else number

    def rating_payload(self, number: str, code: str = "") -> str:
        """What the rating slip's QR holds: the rating page for the case's code (the county's own where set,
        else the hub's, next to the progress page), else the number."""
        if self.rating_url and code:
            return _with_code(self.rating_url, code)
        return _with_code(self.progress_url, code) + "/rate" if self.progress_url and code else number

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> OfficeInfo:
        """Built from desktop.storage.settings.get_all(db), as the desk and the command line do."""
        return cls(
            office=values.get("office") or "",
            county_name=values.get("county_name") or "",
            address=values.get("office_address") or "",
            phone=values.get("office_phone") or "",
            complaint_phone=values.get("complaint_phone") or "",
            progress_url=values.get("progress_url") or "",
            rating_url=values.get("rating_url") or "",
            consent_mask_id=values.get("consent_mask_id") == "yes",
        )


def _with_code(url: str, code: str) -> str:
    """`url` with its {code} (or an older setting's {number}) replaced by the code, or the code appended."""
    for mark in ("{code}", "{number}"):
        if mark in url:
            return url.replace(mark, code)
    return url.rstrip("/") + "/" + code
