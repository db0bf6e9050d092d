"""Staff passwords: argon2id hashing at or above OWASP's parameters, the password rule, initial passwords.

OWASP's Password Storage Cheat Sheet asks for at least argon2id m=19 MiB, t=2, p=1; argon2-cffi's default
profile (RFC 9106 low-memory: m=64 MiB, t=3, p=4) is above it on every count. Hashes made with weaker
parameters are upgraded at the next successful login (check_needs_rehash).

A login checks a hash made with these parameters through argon2-cffi's own binding to the reference C library
(`_argon2_cffi_bindings`, the package argon2-cffi calls), as argon2-cffi's `verify` does: importing argon2-cffi's
package costs ≈0.8× `python -c "import desktop"` of CPU (its Parameters dataclass brings dataclasses, inspect and
ast; `platform`; typing), more than a login command's whole budget beside the hash itself (issue 16). Anything
else (hashing, another form of hash) goes through argon2-cffi's PasswordHasher.
"""

from __future__ import annotations

from desktop.domain.errors import ValidationError

TYPE_CHECKING = False  # typing's flag without importing typing (issue 16)
if TYPE_CHECKING:
    from argon2 import PasswordHasher

OWASP_MINIMUM = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}  # KiB, passes, lanes
MIN_LENGTH = 8
MAX_LENGTH = 128
# No 0/O, 1/l/I: an initial password is read off a screen or a slip of paper.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# How a hash made by default_hasher() begins: argon2id, version 0x13, m=64 MiB, t=3, p=4 (tests/accounts check it
# against argon2-cffi); then 22 characters of salt (16 bytes) and 43 of hash (32 bytes), unpadded base64.
DEFAULT_HEADER = "$argon2id$v=19$m=65536,t=3,p=4$"
_SALT_CHARS, _HASH_CHARS = 22, 43
# A hash of a random password in the default form: an unknown username is checked against it, so that a login
# takes the same time whether the name exists or not.
DUMMY_HASH = DEFAULT_HEADER + "hOJulO2GNkssq956aM8Vcg$ZkOncukqjztvg1IkrilkSWRfRqCdQhF+gGZuhpcLP+Y"


def default_hasher() -> PasswordHasher:
    """The hasher the desk uses: argon2id with RFC 9106's low-memory profile (argon2-cffi's default)."""
    from argon2 import PasswordHasher, profiles

    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def matches(hasher: PasswordHasher, stored: str, password: str) -> bool:
    """Does `password` match the stored hash? A damaged hash matches nothing."""
    from argon2 import exceptions

    try:
        return hasher.verify(stored, password)
    except (exceptions.VerificationError, exceptions.InvalidHashError):
        return False


def in_default_form(stored: str) -> bool:
    """Was `stored` made with default_hasher()'s parameters (check_needs_rehash would say no)?"""
    salt, _, digest = stored[len(DEFAULT_HEADER):].partition("$")
    return stored.startswith(DEFAULT_HEADER) and len(salt) == _SALT_CHARS and len(digest) == _HASH_CHARS


def matches_default(stored: str, password: str) -> bool:
    """matches(default_hasher(), stored, password), without importing argon2-cffi's package for a hash in the
    default form: the same call into the reference library that its PasswordHasher.verify makes (argon2_verify,
    type argon2id), true only for ARGON2_OK."""
    if not in_default_form(stored):
        return matches(default_hasher(), stored, password)
    from _argon2_cffi_bindings import ffi, lib

    secret = password.encode("utf-8")
    result = lib.argon2_verify(ffi.new("char[]", stored.encode("ascii")), ffi.new("char[]", secret), len(secret),
                               lib.Argon2_id)
    return bool(result == lib.ARGON2_OK)


def needs_rehash_default(stored: str) -> bool:
    """default_hasher().check_needs_rehash(stored), without importing argon2-cffi for a hash in the default form."""
    return not in_default_form(stored) and default_hasher().check_needs_rehash(stored)


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
