"""E-mail addresses: the one canonical form, applied once, wherever an address comes in.

Addresses name mailboxes, staff users and recipients, and every look-up compares them as
strings, so each address is brought to one form where it enters Sigill (a token's claim, a
request's recipient or sender, a mailbox named in a path, a command's argument): surrounding
white space removed and lower case. The local part is case-sensitive in theory (RFC 5321) but
no mail system Sigill talks to treats it so, and two mailboxes differing only in case would be
a trap. Whether the result is a usable address is checked separately where it matters
(`messaging.validation.normalise_address` for recipients).
"""

from __future__ import annotations


def canonical_address(raw: str) -> str:
    return raw.strip().lower()
