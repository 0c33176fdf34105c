"""The password policy of recipient accounts, and their hashing.

A password must be at least 12 characters (NIST SP 800-63B asks 8 at least; a long minimum is the one rule
that makes guessing expensive), at most 256 (argon2id would take any length, but a megabyte of "password" is
an attack on the CPU, not a password), and must not be one of the common passwords Sigill ships
(`identity/data/common-passwords.txt`, 30,000 of them, compared without regard to case or surrounding
spaces) nor the account's own e-mail address. There are no composition rules ("a digit and a capital"):
they make passwords harder to remember and no harder to guess.

Hashing is argon2id through `crypto.hashing.PasswordHasher`; the hash is the only trace of a password kept.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

from identity.addresses import canonical_address
from identity.errors import WeakPassword

MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 256
COMMON_PASSWORDS_FILE: Final = "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case (read once)."""
    text = (resources.files("identity") / "data" / COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_password(password: str, *, email: str = "") -> None:
    """Raise WeakPassword (with a code saying which rule) unless `password` may be an account's password."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            "password is shorter than 12 characters",
            code="password_too_short",
            message_sv=f"Lösenordet måste ha minst {MIN_LENGTH} tecken.",
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(
            "password is longer than 256 characters",
            code="password_too_long",
            message_sv=f"Lösenordet får ha högst {MAX_LENGTH} tecken.",
        )
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) == 1:
        raise WeakPassword(
            "password is on the list of common passwords",
            code="password_common",
            message_sv="Lösenordet är för vanligt och lätt att gissa. Välj ett annat.",
        )
    if email and folded == canonical_address(email):
        raise WeakPassword(
            "password is the account's e-mail address",
            code="password_is_address",
            message_sv="Lösenordet får inte vara din e-postadress.",
        )
