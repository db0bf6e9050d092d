"""A command imports only its own module (issue 16: a command's overhead ≤ 2× `import desktop`)."""

from __future__ import annotations

import subprocess
import sys

from desktop.cli.main import COMMANDS, modules_for

ALL = list(dict.fromkeys(COMMANDS.values()))


def test_the_command_word_picks_its_module_wherever_the_common_options_stand():
    assert modules_for(["id", "check", "1"]) == ["desktop.cli.cases"]
    assert modules_for(["--data-dir", "ledger", "case", "list"]) == ["desktop.cli.cases"]  # a dir named like a command
    assert modules_for(["--json", "--user", "zhangli", "ledger", "--from", "2026-11-01"]) == ["desktop.cli.ledger"]
    assert modules_for(["hub", "status"]) == modules_for(["sync", "--once"]) == ["desktop.cli.sync"]
    assert modules_for([]) == [] and modules_for(["--data-dir", "d"]) == []  # the desk itself
    assert modules_for(["--help"]) == ALL and modules_for(["cse", "list"]) == ALL  # help and typos see every command


def _imported_after(*argv: str) -> set[str]:
    code = ("import sys\nfrom desktop.cli.main import main\nmain(list(sys.argv[1:]))\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, encoding="utf-8")
    return set(proc.stderr.split())


def test_a_simple_command_loads_no_other_command_and_no_heavy_library():
    loaded = _imported_after("id", "check", "11010519491231002X")
    assert "desktop.cli.cases" in loaded
    assert not loaded & {m for m in ALL if m != "desktop.cli.cases"}
    assert not loaded & {"argon2", "reportlab", "httpx", "sqlite_utils", "pypinyin", "PySide6", "xlsxwriter"}


def test_a_typo_still_gets_the_chinese_usage_line():
    proc = subprocess.run([sys.executable, "-m", "desktop", "cse", "list"], capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 2 and proc.stderr.startswith("错误：命令参数不对")


def test_id_check_loads_no_case_model_and_none_of_what_only_some_commands_use():
    """`id check` pays for the ID rules alone: not the case model (wording), JSON, temporary files, getpass, nor
    shutil (argparse's help formatter asked it for the terminal's width at every argument added)."""
    loaded = _imported_after("id", "check", "11010519491231002X")
    assert "desktop.domain.idnumber" in loaded
    assert not loaded & {"desktop.domain.case", "desktop.domain.wording", "json", "tempfile", "getpass",
                         "desktop.protocol.files", "shutil"}


# What a command that does little work of its own must not import: each costs from a fifth to several times the
# baseline `python -c "import desktop"` (≈50 ms of CPU), whose double is the budget (issue 16).
HEAVY = {"reportlab", "sqlite_utils", "PySide6", "argon2", "httpx", "pypinyin", "desktop.storage.migrations",
         "desktop.storage.store", "desktop.accounts.staff"}
# The standard library's dearest: dataclasses brings inspect, ast, dis and tokenize (≈20 ms), typing ≈5 ms,
# hashlib ≈5 ms.
COSTLY = {"dataclasses", "inspect", "typing", "hashlib"}


def test_id_check_loads_no_heavy_module_nor_dataclasses():
    loaded = _imported_after("id", "check", "11010519491231002X")
    assert "desktop.domain.idnumber" in loaded
    assert not loaded & (HEAVY | COSTLY)


def test_catalog_list_loads_no_heavy_module_nor_the_catalogs_dataclasses():
    """The list reads the services' rows (domain/catalogfile.py); `catalog show` builds the catalog."""
    loaded = _imported_after("catalog", "list")
    assert "desktop.domain.catalogfile" in loaded
    assert not loaded & (HEAVY | COSTLY | {"desktop.domain.catalog"})


def test_settings_show_opens_the_database_without_the_encryption_machinery(tmp_path):
    """A plain data dir's database opens without the conversion code, the blob store, the key-wrapping libraries
    or the migration machinery (nothing pending), and a setting is no dataclass."""
    from desktop.storage.db import open_db

    open_db(tmp_path).close()
    loaded = _imported_after("settings", "show", "--data-dir", str(tmp_path))
    assert "desktop.storage.settings" in loaded
    assert not loaded & (HEAVY - {"desktop.storage.migrations"} | COSTLY | {
        "desktop.storage.encrypt", "desktop.storage.blobs", "secrets", "hmac", "base64", "sqlcipher3"})


def test_a_login_command_loads_no_logging_handlers(tmp_path, monkeypatch):
    """A login writes an audit entry, whose scrubbing once pulled in logging.handlers (via storage.logs) for
    every command that logs in; logging loads only when something went wrong."""
    from desktop.accounts.staff import Accounts
    from desktop.storage.store import Store

    store = Store.open(tmp_path)
    Accounts(store.db).create_admin("admin", "黄建华", "admin-password")
    store.close()
    monkeypatch.setenv("DESK_PASSWORD", "admin-password")
    loaded = _imported_after("case", "list", "--user", "admin", "--data-dir", str(tmp_path))
    assert "desktop.storage.audit" in loaded and "desktop.accounts.staff" in loaded
    assert not loaded & {"logging.handlers", "desktop.storage.logs"}


def test_a_login_command_on_a_plain_data_dir_loads_only_what_listing_needs(tmp_path, monkeypatch):
    """`case list --user` on an unencrypted data dir (issue 16: ≈300 ms of CPU beyond argon2): not the catalog's
    dataclasses, the audit chain's checker, the search keys, the SQLCipher
    driver (a query's unread rows closing raised GeneratorExit through `crypto.errors()`, which imported it), not
    the eligibility rules (only a case's detail needs them), not the holiday calendar, TOML, logging, uuid,
    shutil nor tempfile."""
    from desktop.accounts.staff import Accounts
    from desktop.storage.store import Store

    store = Store.open(tmp_path)
    accounts = Accounts(store.db)
    accounts.create_admin("admin", "黄建华", "admin-password")
    admin = accounts.login("admin", "admin-password")
    accounts.add_user(admin, "lixiaolan", "李晓兰", "clerk", password="clerk-password", must_change=False)
    store.close()
    monkeypatch.setenv("DESK_PASSWORD", "clerk-password")
    loaded = _imported_after("case", "list", "--date", "2026-12-01", "--user", "lixiaolan", "--data-dir",
                             str(tmp_path))
    assert "desktop.domain.views" in loaded and "desktop.accounts.staff" in loaded
    assert not loaded & {"sqlcipher3", "desktop.domain.eligibility", "desktop.domain.rules", "chinese_calendar",
                         "tomllib", "logging", "uuid", "shutil", "tempfile", "secrets", "sqlite_utils",
                         "desktop.storage.auditverify", "desktop.storage.searchkeys", "desktop.storage.encrypt",
                         "desktop.domain.catalog"}  # the active catalog's service names come from its file
    # nor the case model, the roles or argon2-cffi's package with their dataclasses and typing: a list is made from
    # the stored rows, a session is a named tuple, the password's hash is checked through argon2-cffi's C binding;
    # nor hashlib (OpenSSL): the audit entry's SHA-256 comes from the standard library's own module
    assert "_argon2_cffi_bindings" in loaded
    assert not loaded & (COSTLY | {"argon2", "desktop.domain.case", "desktop.domain.feedback", "desktop.domain.publicity",
                                   "desktop.domain.workdays", "desktop.domain.overdue", "platform"})


def test_case_show_loads_neither_argon2_cffis_package_nor_typing(tmp_path, monkeypatch):
    """`case show --user` needs the case model and its catalog (dataclasses) and, for a due date, the holiday
    calendar; not argon2-cffi's package, the search keys or typing (issue 16)."""
    from desktop.intake import demo
    from desktop.storage.store import Store

    store = Store.open(tmp_path)
    demo.fill(store, days=1, per_day=1)
    number = store.rows("number IS NOT NULL")[0]["number"]
    store.close()
    monkeypatch.setenv("DESK_PASSWORD", demo.DEMO_PASSWORD)
    loaded = _imported_after("case", "show", number, "--user", "lixiaolan", "--data-dir", str(tmp_path))
    assert "desktop.domain.views" in loaded and "_argon2_cffi_bindings" in loaded
    assert not loaded & {"argon2", "typing", "desktop.storage.searchkeys", "platform", "logging"}


def _catalogs_parsed_after(*argv: str) -> int:
    """How many catalog files the command parsed (the catalog's loader caches one per file)."""
    code = ("import sys\nfrom desktop.cli.main import main\nmain(list(sys.argv[1:]))\n"
            "from desktop.domain import catalog\nprint(catalog._load.cache_info().misses, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, encoding="utf-8")
    return int(proc.stderr.split()[-1])


def test_a_command_that_reads_no_catalog_parses_none(tmp_path):
    """The store loads its active catalog at first use (issue 16): `settings show` never needs one, nor does the
    list of versions, whose bundled one is still registered when the store opens; nor `catalog list`, which reads
    the services' rows; `catalog show` parses it."""
    from desktop.storage.store import Store

    Store.open(tmp_path).close()
    assert _catalogs_parsed_after("settings", "show", "--data-dir", str(tmp_path)) == 0
    assert _catalogs_parsed_after("catalog", "versions", "--data-dir", str(tmp_path)) == 0
    assert _catalogs_parsed_after("catalog", "list") == 0
    assert _catalogs_parsed_after("catalog", "show", "3") == 1
