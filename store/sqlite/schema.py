"""Bringing a SQLite database's schema up to date.

Migrations are the numbered files `migrations/NNNN_name.sql`, applied in
order, each in its own write transaction together with its row in
`schema_version`. The version is read inside that transaction, so two
processes starting on one file at once do not both apply a migration.
"""

from __future__ import annotations

import sqlite3
from importlib import resources

import aiosqlite


def available() -> list[tuple[int, str]]:
    """(number, SQL text) of every migration shipped with the package, in order."""
    folder = resources.files("store.sqlite") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def statements(script: str) -> list[str]:
    """Split a script into complete statements (executescript would commit our transaction)."""
    result, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            result.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError("a migration ends with an incomplete statement")
    return result


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply the migrations this database lacks; return its schema version."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    version = 0
    for number, script in available():
        await conn.execute("BEGIN IMMEDIATE")
        try:
            version = await _current(conn)
            if number > version:
                for statement in statements(script):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, datetime('now'))", (number,)
                )
                version = number
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    return version


async def _current(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
    return int(rows[0][0])
