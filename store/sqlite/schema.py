"""Bringing a SQLite database's schema up to date.

Migrations are the numbered files `migrations/NNNN_name.sql`, applied in
order, each in its own write transaction together with its row in
`schema_version`. Whether a migration was applied is read inside that
transaction, so two processes starting on one file at once do not both apply
it. Numbers need not be consecutive: every shipped migration whose number has
no row yet is applied, so a gap in the numbering (or a migration numbered
below one already applied) is never skipped. Two files with one number are
refused, since one of them would silently never run.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from importlib.resources.abc import Traversable

import aiosqlite


def available(folder: Traversable | None = None) -> list[tuple[int, str]]:
    """(number, SQL text) of every migration in `folder` (default: shipped with the package), in order."""
    folder = folder or resources.files("store.sqlite") / "migrations"
    found: dict[int, tuple[str, str]] = {}
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            number = int(name[:4])
            if number in found:
                raise ValueError(f"two migrations are numbered {number}: {found[number][0]} and {name}")
            found[number] = (name, entry.read_text(encoding="utf-8"))
    return sorted((number, script) for number, (_, script) in found.items())


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


async def migrate(conn: aiosqlite.Connection, folder: Traversable | None = None) -> int:
    """Apply the migrations this database lacks; return its schema version (the highest applied)."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    for number, script in available(folder):
        await conn.execute("BEGIN IMMEDIATE")
        try:
            if not await _applied(conn, number):
                for statement in statements(script):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, datetime('now'))", (number,)
                )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    return await _current(conn)


async def _applied(conn: aiosqlite.Connection, number: int) -> bool:
    rows = list(await conn.execute_fetchall("SELECT 1 FROM schema_version WHERE version = ?", (number,)))
    return bool(rows)


async def _current(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
    return int(rows[0][0])
