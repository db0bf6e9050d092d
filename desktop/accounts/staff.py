"""Staff accounts on the device: the first administrator, staff with a role and an area, login with lockout,
the forced change of an initial password, and the audited reveal of one masked number (docs/roles.md).

The screens call this; so does the command line. Every outcome that matters (login, failure, lockout,
account change, reveal, refusal) is in the audit trail, in the same transaction as the change it records.
Messages never repeat what was typed: a username field may hold an ID number typed in the wrong box.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable

from desktop.accounts import keywrap, passwords
from desktop.accounts.roles import ACTIONS, ROLES, Area, Session, can, role_id, visible
from desktop.domain.errors import DeskError, ValidationError
from desktop.storage import audit, settings
from desktop.storage.db import Database

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from typing import Any

    from argon2 import PasswordHasher

MAX_FAILURES = 5
LOCK_MINUTES = 15
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
STAFF_NO_RE = re.compile(r"^[A-Za-z0-9-]{1,20}$")  # 工号: letters, digits and '-', as halls number their staff
REVEALABLE = {
    f"{person}.{key}": f"{who}{what}"
    for person, who in (("applicant", "申请人"), ("guardian", "监护人"), ("proxy", "代办人"))
    for key, what in (("id_number", "身份证号"), ("phone", "电话"))
}
WRONG = "用户名或密码不对"
_ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}


class AccountError(DeskError):
    """A refused login or account change, in Chinese; `field` names the input at fault."""


class PermissionDeniedError(DeskError):
    """The staff member's role (or area) does not allow the action."""


def now_local() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


def lock_minutes(db: Database) -> int:
    """The idle-lock policy: minutes without input before the desk locks (setting lock_minutes, default 5)."""
    return int(settings.get(db, "lock_minutes") or 5)


class Accounts:
    """Accounts in one database. `clock` returns the current aware time (tests inject one)."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime] = now_local,
                 hasher: PasswordHasher | None = None):
        self.db = db
        self.clock = clock
        self._hasher = hasher  # None: the desk's own (passwords.default_hasher), made when first needed
        self._dummy: str | None = None

    @property
    def hasher(self) -> PasswordHasher:
        """The password hasher; a login with the desk's own checks its hash without it (passwords.matches_default),
        so a command that only logs in does not import argon2-cffi's package (issue 16)."""
        if self._hasher is None:
            self._hasher = passwords.default_hasher()
        return self._hasher

    # reading

    def any_users(self) -> bool:
        return self.db.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0] == 1

    def users(self) -> list[dict[str, Any]]:
        """Every account as the user list shows it: no password hashes, nothing personal about citizens."""
        now = self.clock()
        result = []
        rows = sorted(self.db.query("SELECT * FROM users"), key=lambda r: (_ROLE_ORDER.get(r["role"], 9), r["username"]))
        for r in rows:
            area = Area.from_dict(json.loads(r["area"]))
            until = r["locked_until"]
            locked = until if until and dt.datetime.fromisoformat(until) > now else None
            result.append({"username": r["username"], "display_name": r["display_name"], "staff_no": r["staff_no"],
                           "role": r["role"],
                           "role_label": ROLES.get(r["role"], r["role"]), "area": area.to_dict(),
                           "area_label": area.label(), "disabled": bool(r["disabled"]), "locked_until": locked,
                           "must_change": bool(r["must_change"]), "created_at": r["created_at"]})
        return result

    def names(self) -> dict[str, str]:
        """username → display name, for ledgers and case views that show who did what."""
        return {r["username"]: r["display_name"] for r in self.db.query("SELECT username, display_name FROM users")}

    def staff_numbers(self) -> dict[str, str]:
        """Display name → 工号 of the accounts that have one (for a 受托人 who is staff); a name two accounts
        share is left out, since it cannot say whose number to print."""
        rows = list(self.db.query("SELECT display_name, staff_no FROM users WHERE staff_no != ''"))
        names = [r["display_name"] for r in rows]
        return {r["display_name"]: r["staff_no"] for r in rows if names.count(r["display_name"]) == 1}

    # first run, login, lock

    def create_admin(self, username: str, display_name: str, password: str, *, must_change: bool = False,
                     staff_no: str = "") -> None:
        """The first account of a device: an administrator, allowed only while no account exists."""
        with self.db.atomic():
            if self.any_users():
                raise AccountError("本机已有账号，不能再次创建初始管理员", field="username")
            name = self._insert(username, display_name, "admin", Area(), password, must_change, staff_no)
            audit.append(self.db, name, "user.create_admin", detail={"user": name}, at=self.clock())

    def login(self, username: str, password: str, *, via: str = "desk", meanwhile: Callable[[], object] | None = None
              ) -> Session:
        """A session for the right password; otherwise AccountError (lockout with the minutes left).

        `meanwhile` runs on this thread while the password's hash is checked on another: argon2 releases the
        GIL for its whole run, so the desk imports its window during it instead of after (issue 16)."""
        return self._authenticate(username.strip().lower(), password, "login", via, meanwhile)

    def confirm(self, session: Session, password: str) -> None:
        """The person logged in types their password again (before setting up the data key), counted like a
        login: a wrong one raises AccountError and counts towards the lockout."""
        self._authenticate(session.username, password, "", "desk")

    def unlock(self, session: Session, password: str) -> Session:
        """Unlock the locked desk for the same person (their draft stays theirs); counts failures like login."""
        return self._authenticate(session.username, password, "unlock", "desk")

    def lock(self, session: Session) -> None:
        audit.append(self.db, session.username, "lock", at=self.clock())

    def logout(self, session: Session) -> None:
        audit.append(self.db, session.username, "logout", at=self.clock())

    def change_password(self, session: Session, old: str, new: str) -> Session:
        """Change one's own password (the forced first change too); returns the session, now unrestricted."""
        self._authenticate(session.username, old, "", "desk")  # a wrong old password counts as a failure
        passwords.check_rule(session.username, new, old=old)
        with self.db.atomic():
            self.db.execute("UPDATE users SET password_hash = ?, must_change = 0 WHERE username = ?",
                            [self.hasher.hash(new), session.username])
            keywrap.set_password(self.db, session.username, new)
            audit.append(self.db, session.username, "password.change", at=self.clock())
        return Session(session.username, session.display_name, session.role, session.area, False,
                       session.started_at)

    def _authenticate(self, name: str, password: str, action: str, via: str,
                      meanwhile: Callable[[], object] | None = None) -> Session:
        """Check a password with lockout; on success record `action` (if any) and return a session.

        The attempt is counted before the password is checked, in one write transaction: 25 guesses fired at
        once see the count rise one by one, so at most MAX_FAILURES of them reach the (slow) check and the
        next one locks the account. An attempt cut short by a crash stays counted, on the safe side.
        """
        now = self.clock()
        row, attempt = self._reserve(name, now, via)
        if not (keywrap.proven(self.db, name, password)
                or self._matches(row["password_hash"], password, meanwhile)):
            raise self._failed(name, attempt, now, via)
        with self.db.atomic():
            refusal = self._refusal(self._row(name), name, now, via)  # locked by parallel guesses meanwhile
            if refusal is None:
                self.db.execute("UPDATE users SET failed_count = 0, locked_until = NULL WHERE username = ?", [name])
                if self._needs_rehash(row["password_hash"]):
                    self.db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                                    [self.hasher.hash(password), name])
                if action:
                    audit.append(self.db, name, action, detail={"via": via}, at=now)
                keywrap.ensure(self.db, name, password)
        if refusal is not None:
            raise refusal
        return Session(name, row["display_name"], row["role"], Area.from_dict(json.loads(row["area"])),
                       bool(row["must_change"]), now.isoformat())

    def _check(self, stored: str, password: str) -> bool:
        if self._hasher is None:
            return passwords.matches_default(stored, password)
        return passwords.matches(self._hasher, stored, password)

    def _needs_rehash(self, stored: str) -> bool:
        if self._hasher is None:
            return passwords.needs_rehash_default(stored)
        return self._hasher.check_needs_rehash(stored)

    def _matches(self, stored: str, password: str, meanwhile: Callable[[], object] | None) -> bool:
        """The password check, with `meanwhile` run on this thread during it (the check's thread is joined
        whatever `meanwhile` does, and an error of either is raised here)."""
        if meanwhile is None:
            return self._check(stored, password)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="password") as pool:
            check = pool.submit(self._check, stored, password)
            meanwhile()
            return check.result()

    def _row(self, name: str) -> dict[str, Any] | None:
        return next(self.db.query("SELECT * FROM users WHERE username = ?", [name]), None)

    def _reserve(self, name: str, now: dt.datetime, via: str) -> tuple[dict[str, Any], int]:
        """Count this attempt as a failure until proven right; refuse an unknown, disabled or locked account,
        and lock at once an attempt beyond MAX_FAILURES (only parallel guesses get there)."""
        with self.db.atomic():
            row = self._row(name)
            refusal = self._refusal(row, name, now, via)
            if refusal is None and row is not None:
                attempt = 1 if row["locked_until"] else row["failed_count"] + 1  # a lock run out: count afresh
                self.db.execute("UPDATE users SET failed_count = ?, locked_until = NULL WHERE username = ?",
                                [attempt, name])
                if attempt > MAX_FAILURES:
                    refusal = self._lock(name, now)
        if refusal is not None:
            if row is None:
                self._check(self._dummy_hash(), "")  # the same time as a known name
            raise refusal
        return row, attempt

    def _refusal(self, row: dict[str, Any] | None, name: str, now: dt.datetime, via: str) -> AccountError | None:
        """Why this account may not log in now (recorded in the caller's transaction), or None."""
        if row is None:
            audit.append(self.db, "", "login.failed", detail={"known": False, "via": via}, at=now)
            return AccountError(WRONG, field="username")
        if row["disabled"]:
            audit.append(self.db, name, "login.refused", detail={"reason": "disabled", "via": via}, at=now)
            return AccountError("该账号已停用，请联系管理员", field="username")
        if row["locked_until"] and dt.datetime.fromisoformat(row["locked_until"]) > now:
            left = math.ceil((dt.datetime.fromisoformat(row["locked_until"]) - now).total_seconds() / 60)
            audit.append(self.db, name, "login.refused", detail={"reason": "locked", "via": via}, at=now)
            return AccountError(f"密码错误次数过多，账号已锁定，请{left}分钟后再试", field="password")
        return None

    def _lock(self, name: str, now: dt.datetime) -> AccountError:
        until = now + dt.timedelta(minutes=LOCK_MINUTES)
        self.db.execute("UPDATE users SET locked_until = ? WHERE username = ?", [until.isoformat(), name])
        audit.append(self.db, name, "login.locked", detail={"minutes": LOCK_MINUTES}, at=now)
        return AccountError(f"密码连续输错{MAX_FAILURES}次，账号已锁定{LOCK_MINUTES}分钟", field="password")

    def _failed(self, name: str, attempt: int, now: dt.datetime, via: str) -> AccountError:
        """A wrong password, already counted by _reserve; the MAX_FAILURES-th locks. Never clears a lock."""
        with self.db.atomic():
            audit.append(self.db, name, "login.failed", detail={"failures": attempt, "via": via}, at=now)
            locked = self.db.execute("SELECT locked_until FROM users WHERE username = ?", [name]).fetchone()[0]
            if attempt >= MAX_FAILURES and not locked:
                return self._lock(name, now)
        if attempt >= MAX_FAILURES:
            return AccountError(f"密码错误次数过多，账号已锁定{LOCK_MINUTES}分钟", field="password")
        return AccountError(f"{WRONG}（再输错{MAX_FAILURES - attempt}次账号将锁定{LOCK_MINUTES}分钟）",
                            field="password")

    def _dummy_hash(self) -> str:
        if self._hasher is None:
            return passwords.DUMMY_HASH
        if self._dummy is None:
            self._dummy = self.hasher.hash(passwords.generate())
        return self._dummy

    # administration (user.manage)

    def add_user(self, session: Session, username: str, display_name: str, role: str, area: Area | None = None,
                 password: str | None = None, *, must_change: bool = True, staff_no: str = "") -> str:
        """Add a staff account; returns the initial password (generated unless given), to change at first login."""
        self.require(session, "user.manage")
        password = password or passwords.generate()
        with self.db.atomic():
            name = self._insert(username, display_name, role, area or Area(), password, must_change, staff_no)
            keywrap.set_password(self.db, name, password)
            audit.append(self.db, session.username, "user.add", detail={"user": name, "role": role_id(role)},
                         at=self.clock())
        return password

    def edit_user(self, session: Session, username: str, *, display_name: str | None = None,
                  staff_no: str | None = None) -> None:
        """Change an account's name or 工号 (None leaves it); recorded with what changed, not the values."""
        self.require(session, "user.manage")
        name = self._existing(username)
        changes: dict[str, str] = {}
        if display_name is not None:
            changes["display_name"] = _display_name(display_name)
        if staff_no is not None:
            changes["staff_no"] = self._staff_no(staff_no, name)
        if not changes:
            raise ValidationError("请指定要修改的姓名或工号", field="display_name")
        with self.db.atomic():
            self.db.execute(f"UPDATE users SET {', '.join(f'{k} = ?' for k in changes)} WHERE username = ?",
                            [*changes.values(), name])
            audit.append(self.db, session.username, "user.edit", detail={"user": name, "fields": sorted(changes)},
                         at=self.clock())

    def _staff_no(self, staff_no: str, username: str = "") -> str:
        """A 工号 as stored: trimmed, letters and digits, not another account's; '' for none."""
        staff_no = staff_no.strip().upper()
        if not staff_no:
            return ""
        if not STAFF_NO_RE.match(staff_no):
            raise ValidationError("工号应为1–20位字母、数字或 -", field="staff_no")
        other = self.db.execute("SELECT username FROM users WHERE staff_no = ? AND username != ?",
                                [staff_no, username]).fetchone()
        if other is not None:
            raise ValidationError(f"工号“{staff_no}”已用于账号 {other[0]}", field="staff_no")
        return staff_no

    def set_disabled(self, session: Session, username: str, disabled: bool = True) -> None:
        """Disable (or enable again) an account; the administrator cannot disable themself."""
        self.require(session, "user.manage")
        name = self._existing(username)
        if disabled and name == session.username:
            raise AccountError("不能停用自己的账号", field="username")
        with self.db.atomic():
            self.db.execute("UPDATE users SET disabled = ? WHERE username = ?", [int(disabled), name])
            if disabled:
                keywrap.remove(self.db, name)
            audit.append(self.db, session.username, "user.disable" if disabled else "user.enable",
                         detail={"user": name}, at=self.clock())

    def reset_password(self, session: Session, username: str, password: str | None = None) -> str:
        """A new initial password (generated unless given) that must be changed; clears a lockout."""
        self.require(session, "user.manage")
        name = self._existing(username)
        password = password or passwords.generate()
        passwords.check_rule(name, password)
        with self.db.atomic():
            self.db.execute("UPDATE users SET password_hash = ?, must_change = 1, failed_count = 0,"
                            " locked_until = NULL WHERE username = ?", [self.hasher.hash(password), name])
            keywrap.set_password(self.db, name, password)
            audit.append(self.db, session.username, "user.reset_password", detail={"user": name}, at=self.clock())
        return password

    def _insert(self, username: str, display_name: str, role: str, area: Area, password: str,
                must_change: bool, staff_no: str = "") -> str:
        name, role_key = username.strip().lower(), role_id(role)
        if not USERNAME_RE.match(name):
            raise ValidationError("用户名应为2–32位小写字母、数字或 . _ -，以字母开头", field="username")
        if self._row_exists(name):
            raise ValidationError(f"用户名“{name}”已存在", field="username")
        display_name = _display_name(display_name)
        staff_no = self._staff_no(staff_no, name)
        if role_key is None:
            raise ValidationError(f"角色应为：{'、'.join(ROLES.values())}", field="role")
        check_area(self.db, role_key, area)
        passwords.check_rule(name, password)
        self.db.execute(
            "INSERT INTO users (username, display_name, role, area, password_hash, must_change, created_at, staff_no)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [name, display_name, role_key, json.dumps(area.to_dict(), ensure_ascii=False),
             self.hasher.hash(password), int(must_change), self.clock().isoformat(), staff_no])
        return name

    def _row_exists(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone() is not None

    def _existing(self, username: str) -> str:
        name = username.strip().lower()
        if not self._row_exists(name):
            raise AccountError("没有这个用户名的账号", field="username")
        return name

    def change_setting(self, session: Session, key: str, value: Any) -> None:
        """Change one device setting (settings.edit); recorded with the key, never the value."""
        self.require(session, "settings.edit")
        with self.db.atomic():
            settings.set_value(self.db, key, value)
            audit.append(self.db, session.username, "settings.edit", detail={"key": key}, at=self.clock())

    # permissions and personal data

    def require(self, session: Session | None, action: str, case_row: Any = None) -> None:
        """Raise PermissionDeniedError (and record the refusal) unless `session` may do `action`."""
        if can(session, action, case_row):
            return
        if session is None:
            raise PermissionDeniedError("请先登录", field="user")
        if session.must_change:
            raise PermissionDeniedError("请先修改初始密码", field="password")
        audit.append(self.db, session.username, "denied", detail={"action": action}, at=self.clock())
        if case_row is not None and can(session, action):
            raise PermissionDeniedError("该案件不在您的服务区域内", field="case")
        raise PermissionDeniedError(f"{session.role_label}无权{ACTIONS[action]}", field="user")

    def reveal(self, session: Session, case_uuid: str, field: str) -> str:
        """One masked number of one case in full, for a role that may see it; the reveal is audited."""
        if field not in REVEALABLE:
            raise ValidationError(f"只能查看：{'、'.join(REVEALABLE.values())}", field="field")
        row = self.db.execute("SELECT township, village, payload FROM cases WHERE uuid = ?", [case_uuid]).fetchone()
        if row is None:
            raise DeskError("找不到该案件", field="case")
        self.require(session, "case.reveal_id", {"township": row[0], "village": row[1]})
        person, key = field.split(".")
        value = (json.loads(row[2]).get(person) or {}).get(key, "")
        audit.append(self.db, session.username, "case.reveal", case_uuid, {"field": field}, at=self.clock())
        return value


def _display_name(text: str) -> str:
    if not text.strip() or len(text.strip()) > 20:
        raise ValidationError("姓名不能为空，且不超过20个字", field="display_name")
    return text.strip()


def check_area(db: Database, role: str, area: Area) -> None:
    """A village agent needs a township; a township and villages must be among the device's, if configured."""
    if role == "village_agent" and not area.township:
        raise ValidationError("村级代办员需要指定服务区域（乡镇，可再指定村）", field="area")
    known = {t["name"]: t.get("villages", []) for t in settings.get(db, "townships") or []}
    if not known or not area.township:
        return
    if area.township not in known:
        raise ValidationError(f"乡镇“{area.township}”不在本机设置的乡镇列表中", field="area")
    if bad := [v for v in area.villages if v not in known[area.township]]:
        raise ValidationError(f"村（社区）“{'、'.join(bad)}”不属于{area.township}", field="area")


__all__ = ["Accounts", "AccountError", "Area", "PermissionDeniedError", "Session", "can", "lock_minutes", "visible"]
