"""What every command module shares: JSON output, safe file writes, the store, the staff login, the parser.

Command modules import this and nothing of each other or of `desktop.cli.main`, so the command line has
no import cycle: main → command modules → common.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from desktop.domain import paths, terminal
from desktop.domain.errors import DeskError

# json, tempfile, getpass and the durable-file helpers are imported where used: every command pays for this
# module's imports, and most never print JSON, write a file or ask for a password (issue 16: ≤ 2× `import desktop`)

ENV_PASSWORD = "DESK_PASSWORD"
ENV_NEW_PASSWORD = "DESK_NEW_PASSWORD"


# The data dir this command line uses, once main has resolved it (None for commands that use none).
_announced: list[Path] = []
_printed_json: list[bool] = []


def announce_data_dir(args: argparse.Namespace) -> Path:
    """Resolve the data dir once, so every --json output can name it (`out`)."""
    _announced[:] = [data_dir(args)]
    return _announced[0]


def forget_data_dir() -> None:
    _announced.clear()
    _printed_json.clear()
    _quick.clear()


_standalone: list[bool] = []  # set by run_standalone: this process ends when main() returns
_quick: list[bool] = []  # a command asked to end the process at once (quick_exit)


def run_standalone(main) -> None:
    """`python -m desktop` (and the bundle): run `main` and end the process with its code. After a command
    that asked for it (`quick_exit`), at once: its objects are not freed one by one nor the interpreter torn
    down (a year's ledger spent ≈1 s on that after its file was written)."""
    _standalone.append(True)
    code = main()
    if _quick:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def keep_until_exit(value: object) -> None:
    """Keep `value` (a year's ledger rows) alive to the end of a standalone process, which then frees it all
    at once (quick_exit) instead of object by object when the command returns."""
    if _standalone:
        _kept.append(value)


_kept: list[object] = []


def quick_exit() -> bool:
    """Ask to end the process as soon as `main` returns; only for a command that has closed the database and
    fsynced what it wrote (nothing is left to finish: logging flushes each record). True when the process
    will end so (run by run_standalone, not by a test calling main()): the caller may leave its objects, and
    a paused garbage collector, as they are."""
    if _standalone:
        _quick.append(True)
    return bool(_quick)


def printed_json() -> bool:
    """Whether this run's output was JSON (which names the data dir itself)."""
    return bool(_printed_json)


def out(data: object) -> None:
    """Print `data` as readable JSON with Chinese intact (every --json output goes through here).

    An object names the data dir it came from (`data_dir`); a list keeps its documented shape and the data
    dir goes to stderr, so no output ever leaves its source unsaid.
    """
    if _announced and isinstance(data, dict):
        data = {**data, "data_dir": str(_announced[0])}
    elif _announced:
        print(f"数据目录：{_announced[0]}", file=sys.stderr)
    import json

    _printed_json.append(True)
    print(json.dumps(data, ensure_ascii=False, indent=2))


def why_not_written(exc: OSError) -> str:
    """Why a file could not be written, in words a clerk can act on."""
    if isinstance(exc, FileNotFoundError):
        return "所在文件夹不存在"
    if isinstance(exc, PermissionError):
        return "没有写入权限，或文件正被其他程序打开"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，请给出文件名"
    return f"写入失败（错误号 {exc.errno}）"


def refuse_special(target: Path) -> None:
    """Refuse an --out that names a directory, a FIFO or a device: writing there would fail late, block for
    ever (a FIFO with no reader) or send a case's personal data to hardware."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return  # absent (the usual case), or unreadable: the write itself says why
    if stat.S_ISDIR(mode):
        raise DeskError(f"无法写入文件“{target}”：{why_not_written(IsADirectoryError())}", field="out")
    if not stat.S_ISREG(mode):
        raise DeskError(f"无法写入文件“{target}”：这是管道或设备等特殊文件，请给出普通文件名", field="out")


def write_file(target: Path, data: bytes) -> None:
    """Write `data` to `target` durably and all at once: a private (0600) temporary file beside it, fsync,
    an atomic rename over the name, fsync of the folder. A failed write leaves no half file under the name."""
    import tempfile

    from desktop.protocol import files

    target = Path(target)
    refuse_special(target)
    partial: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        partial = Path(name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, target)
        files.fsync_dir(target.parent)
    except OSError as exc:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise DeskError(f"无法写入文件“{target}”：{why_not_written(exc)}", field="out") from None


def data_dir(args: argparse.Namespace) -> Path:
    """The data dir named by --data-dir / DESK_DATA_DIR / the default."""
    given = getattr(args, "data_dir", None)
    if given is not None and not given.strip():  # a script's unset "$DIR": never fall back to another data dir
        raise DeskError("--data-dir 的数据目录为空：请给出文件夹路径，或不写 --data-dir", field="data_dir")
    return paths.resolve_data_dir(given)


def open_store(args: argparse.Namespace):
    """The store of the data dir named by --data-dir / DESK_DATA_DIR / the default."""
    from desktop.storage.store import Store  # the store pulls in the catalog and migrations: not for --help

    return Store.open(unlocked_dir(args))


def unlocked_dir(args: argparse.Namespace) -> Path:
    """The data dir, unlocked with --user and the password first when its data is encrypted (storage/crypto)."""
    from desktop.storage import crypto

    where = data_dir(args)
    if crypto.is_encrypted(where) and not crypto.is_unlocked(where):
        if not getattr(args, "user", None):
            raise DeskError("本机数据已加密：请加 --user 用户名 登录后再操作", field="user")
        crypto.unlock_password(where, args.user, own_password(args))
    return where


def encrypt_with_paper(where: Path, username: str, display_name: str, password: str, paper: Path) -> str:
    """Encrypt the data dir (accounts/keysetup.py) and write the recovery paper to `paper`, audited; returns the
    sentence to tell the operator."""
    from desktop.accounts import keysetup
    from desktop.storage import logs
    from desktop.storage.db import open_db

    refuse_special(paper)
    logs.setup(where)  # the fonts' warnings (a stale cache) go to the desk's log, not the terminal
    if not paper.parent.is_dir():  # checked first: the recovery key exists only until the paper is written
        raise DeskError(f"无法写入文件“{paper}”：{why_not_written(FileNotFoundError())}", field="out")
    pdf = keysetup.encrypt_dir(where, username, display_name, password)
    write_file(paper, pdf)
    db = open_db(where)
    try:
        keysetup.paper_made(db, username, paper.name)
    finally:
        db.close()
    return f"本机数据已加密。恢复密钥单已写到：{paper}（只生成这一次，打印后封存于保险柜，并删除该文件）"


def own_password(args: argparse.Namespace) -> str:
    """The operator's password, asked once per command (unlocking and logging in both need it)."""
    if getattr(args, "_password", None) is None:
        args._password = read_password("密码：")
    return args._password


def read_password(prompt: str, env: str = ENV_PASSWORD) -> str:
    """A password from the environment variable `env`, else typed at the terminal without echo."""
    if env in os.environ:
        return os.environ[env]
    if not terminal.is_console(sys.stdin):  # on Windows NUL is a tty but no console: never hang in getpass
        raise DeskError(f"需要密码：请在终端中运行以输入密码，或设置环境变量 {env}", field="password")
    import getpass

    return getpass.getpass(prompt)


def require_user(args: argparse.Namespace, action: str, db):
    """The logged-in staff member allowed to do `action`; None on a device that has no accounts yet."""
    from desktop.accounts.staff import Accounts  # argon2 loads only for commands that log in

    accounts = Accounts(db)
    if not accounts.any_users():
        return None
    if not args.user:
        raise DeskError(f"此操作需要登录：请加 --user 用户名（密码在终端输入，或用环境变量 {ENV_PASSWORD}）",
                        field="user")
    session = accounts.login(args.user, own_password(args), via="cli")
    accounts.require(session, action)
    return session


class Formatter(argparse.HelpFormatter):
    """argparse's help layout, told the terminal's width by `os` rather than `shutil`: argparse makes a formatter
    for every argument added, and shutil (with bz2 and lzma) was a tenth of `id check`'s imports (issue 16)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size gives it: $COLUMNS, else the terminal's, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one Chinese line instead of English usage text."""

    def __init__(self, *args, **kw):
        kw.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kw)

    def error(self, message: str):  # type: ignore[override]
        print(f"错误：命令参数不对（{message}）。用 {self.prog} --help 查看用法。", file=sys.stderr)
        raise SystemExit(2)
