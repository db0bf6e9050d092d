"""How long each text of a case may be: checked at acceptance (wizard and import), and again by the database.

The numbers are generous for real people (the longest Chinese names are under 20 characters, an address with
组 and 号 under 60) and small enough that a pasted 10 MB text can never reach printing. The database's
triggers (migration 0008_text_limits) hold accepted cases to them as the last line; a draft is saved as it
stands and is held only to MAX_PAYLOAD.
"""

from __future__ import annotations

from desktop.domain.case import Person
from desktop.domain.errors import ValidationError

PERSON = {"name": 40, "id_number": 32, "phone": 20, "address": 120, "township": 40, "village": 40, "relation": 20,
          "staff_no": 20}
CASE = {"clerk": 40, "ineligible_reason": 500, "method": 20, "applied_by": 20, "proxy_kind": 20}
NOTE = 200
ANSWER = 500
MAX_PAYLOAD = 1_000_000  # bytes of a case's JSON, drafts included
LABELS = {"name": "姓名", "id_number": "身份证号码", "phone": "联系电话", "address": "住址", "township": "乡镇",
          "village": "村（社区）", "relation": "与申请人关系", "staff_no": "工号"}


def person_errors(person: Person, who: str, field: str) -> list[ValidationError]:
    """One error per text of `person` longer than its limit, naming the field."""
    return [ValidationError(f"{who}{LABELS[key]}：不能超过{limit}个字", field=f"{field}.{key}")
            for key, limit in PERSON.items() if len(getattr(person, key)) > limit]
