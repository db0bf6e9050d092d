"""Staff passwords: argon2id hashing at or above OWASP's parameters, the password rule, initial passwords.

OWASP's Password Storage Cheat Sheet asks for at least argon2id m=19 MiB, t=2, p=1; argon2-cffi's default
profile (RFC 9106 low-memory: m=64 MiB, t=3, p=4) is above it on every count. Hashes made with weaker
parameters are upgraded at the next successful login (check_needs_rehash).
"""

from __future__ import annotations

from argon2 import PasswordHasher, exceptions, profiles

from desktop.domain.errors import ValidationError

OWASP_MINIMUM = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}  # KiB, passes, lanes
MIN_LENGTH = 8
MAX_LENGTH = 128
# No 0/O, 1/l/I: an initial password is read off a screen or a slip of paper.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def default_hasher() -> PasswordHasher:
    """The hasher the desk uses: argon2id with RFC 9106's low-memory profile (argon2-cffi's default)."""
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def matches(hasher: PasswordHasher, stored: str, password: str) -> bool:
    """Does `password` match the stored hash? A damaged hash matches nothing."""
    try:
        return hasher.verify(stored, password)
    except (exceptions.VerificationError, exceptions.InvalidHashError):
        return False


def check_rule(username: str, password: str, *, old: str | None = None) -> None:
    """Refuse a password that is too short, too long, the username, or unchanged (never echoing it)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"密码至少{MIN_LENGTH}位", field="password")
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"密码不能超过{MAX_LENGTH}位", field="password")
    if password.strip().lower() == username.strip().lower():
        raise ValidationError("密码不能与用户名相同", field="password")
    if old is not None and password == old:
        raise ValidationError("新密码不能与原密码相同", field="password")


def generate(length: int = 10) -> str:
    """A random initial password, easy to read aloud, that the staff member must change at first login."""
    import secrets  # here, not for every login (issue 16)

    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
