"""Portal addresses as they may appear in a log line."""

from __future__ import annotations


def loggable_path(path: str) -> str:
    """`path` fit for a log line: the token of a link (a secret, like a password) replaced by `***`."""
    parts = path.split("/")
    if len(parts) >= 5 and parts[1] == "r" and parts[2] != "siths":
        parts[4] = "***"
    return "/".join(parts)
