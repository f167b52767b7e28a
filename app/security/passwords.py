"""Password and PIN hashing: Argon2 through passlib's CryptContext (the maintained libpass).

`verify_and_update` re-hashes on login when the Argon2 parameters change, and an unknown email
is checked against a dummy hash so it costs the same time as a wrong password.
"""

from __future__ import annotations

from passlib.context import CryptContext

# passlib's Argon2id defaults (64 MiB, 3 passes), the settings' defaults too (app/config.py).
_costs = (65_536, 3)
pwd_context = CryptContext(
    schemes=["argon2"], deprecated="auto", argon2__memory_cost=_costs[0], argon2__rounds=_costs[1]
)

_DUMMY_HASH = pwd_context.hash("not-a-real-password-used-for-timing-only")


def configure(*, memory_kib: int, time_cost: int) -> None:
    """Use these Argon2 costs from now on (create_app passes the settings'; the defaults are the same).

    The context is changed in place, so every importer of `pwd_context` sees it.
    """
    global _DUMMY_HASH, _costs
    if _costs == (memory_kib, time_cost):
        return
    _costs = (memory_kib, time_cost)
    pwd_context.update(argon2__memory_cost=memory_kib, argon2__rounds=time_cost)
    _DUMMY_HASH = pwd_context.hash("not-a-real-password-used-for-timing-only")


MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(matches, new_hash_or_None); with no hash, verify against a dummy so timing does not leak."""
    if not password_hash:
        pwd_context.verify(password, _DUMMY_HASH)
        return False, None
    return pwd_context.verify_and_update(password, password_hash)


def password_problem(password: str) -> str | None:
    """A plain-English reason the password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 200:
        return "Use at most 200 characters."
    return None
