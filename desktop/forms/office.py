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
    rating_url: str = ""  # the county's 好差评 page, "{number}" replaced by the case number (ratingslip.py)
    progress_url: str = ""  # the hub's progress page, "{number}" replaced by the case number; the QR opens it

    def qr_payload(self, number: str) -> str:
        """What the receipt's QR holds: the progress page where the hub offers one, else the case number."""
        return self.progress_url.replace("{number}", number) if "{number}" in self.progress_url else number

    def rating_payload(self, number: str) -> str:
        """What the rating slip's QR holds: the hub's rating page where the county has one, else the number."""
        return self.rating_url.replace("{number}", number) if "{number}" in self.rating_url else number

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
