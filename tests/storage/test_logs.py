"""Personal numbers never reach the log, even through a third-party message or a traceback."""

import logging

from desktop.storage import logs

CANARY_ID = "43052119800101001X"
CANARY_PHONE = "13912345678"


def test_redact_masks_ids_and_phones():
    text = logs.redact(f"id={CANARY_ID} phone={CANARY_PHONE} legacy=610104620927690")
    assert CANARY_ID not in text and "19800101" not in text and CANARY_PHONE not in text
    assert "430521********001X" in text and "139****5678" in text and "620927" not in text


def test_logged_exception_is_redacted(tmp_path):
    path = logs.setup(tmp_path)
    try:
        raise ValueError(f"bad row {CANARY_ID} {CANARY_PHONE}")
    except ValueError:
        logs.log_exception(tmp_path)
    for handler in logging.getLogger("desktop").handlers:
        handler.flush()
    content = path.read_text(encoding="utf-8")
    assert "bad row" in content and CANARY_ID not in content and CANARY_PHONE not in content


def test_uuids_and_hashes_are_left_alone_unless_they_hold_a_long_digit_run():
    uuid = "12345678-1234-4234-8234-123456789012"
    sha = "ab" + "1234567890" + "cd" * 26 + "e"
    assert logs.redact(sha) == sha and logs.redact(uuid) == uuid
    # Boundaries are digits only (docs: "masking never misses"), so 15+ digits inside a hash are masked too.
    assert logs.redact("ab123456789012345cd") == "ab123456********345cd"
    assert logs.redact("电话13812345678，证件610104620927690") == "电话138****5678，证件610104********690"


def test_a_command_line_bug_quoting_a_name_logs_neither_the_name_nor_the_number(tmp_path):
    """The command line's bugs go through the same redacted report as the desk's crash path."""
    from desktop.storage import logs

    try:
        raise KeyError("王𠈌 430521199001010011")
    except KeyError:
        where = logs.log_exception(tmp_path)
    text = where.read_text(encoding="utf-8")
    assert "KeyError" in text and "test_a_command_line_bug_quoting_a_name" in text
    assert "王" not in text and "𠈌" not in text and "430521199001010011" not in text
