"""Masking personal numbers inside free text: every message the desk prints, logs or shows goes through it.

Boundaries are digits only, so a number is caught wherever it stands: after a letter ("ID430682…"), before
one ("…4880abc"), inside a file name ("430682…_身份证.pdf") or in full-width digits. The price is that a run of
15 or more digits inside a hex hash is masked too (a few hashes in a hundred have one): harmless in a message,
and a missed ID number is not.
"""

from __future__ import annotations

import functools
import re

# A run of exactly 15 digits (a legacy number: birth date in digits 7–12), or of 16 or more, maybe ending in X.
_ID = r"(?<!\d)(\d{6})(\d{6})(\d{3})(?![\dXxＸｘ])|(?<!\d)(\d{6})(\d{6,})(\d{3}[\dXxＸｘ])(?![\dXxＸｘ])"
_PHONE = r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)"


def redact(text: str) -> str:
    """Mask ID numbers (birth date hidden: the first 6 and last 4, or 3 of a 15-digit number, stay) and mobile
    numbers (138****5678) in free text."""
    if not any(map(str.isdigit, text)):  # nothing to mask (an audit entry's codes): no patterns compiled (issue 16)
        return text
    id_re, phone_re = _patterns()
    text = id_re.sub(_mask_id, text)
    return phone_re.sub(r"\1****\2", text)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled at the first message, not by every command at import: errors imports this module (issue 16)."""
    return re.compile(_ID), re.compile(_PHONE)


def _mask_id(m: re.Match[str]) -> str:
    if m.group(1):
        return m.group(1) + "*" * 8 + m.group(3)
    return m.group(4) + "*" * len(m.group(5)) + m.group(6)
