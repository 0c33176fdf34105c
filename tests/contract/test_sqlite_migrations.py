"""The SQLite schema runner: every shipped migration runs once, whatever the gaps in their numbers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from store.sqlite.schema import available, migrate


def _write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(sql, encoding="utf-8")


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


async def _migrate(path: Path, folder: Path) -> int:
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        return await migrate(conn, folder)


async def test_a_gap_in_the_numbers_is_applied_through(tmp_path: Path) -> None:
    folder, db = tmp_path / "migrations", tmp_path / "records.db"
    _write(folder, "0001_first.sql", "CREATE TABLE first (id TEXT);")
    _write(folder, "0003_third.sql", "CREATE TABLE third (id TEXT);")

    assert await _migrate(db, folder) == 3
    assert {"first", "third"} <= _tables(db)


async def test_a_migration_numbered_below_the_newest_still_runs_once(tmp_path: Path) -> None:
    folder, db = tmp_path / "migrations", tmp_path / "records.db"
    _write(folder, "0001_first.sql", "CREATE TABLE first (id TEXT);")
    _write(folder, "0003_third.sql", "CREATE TABLE third (id TEXT);")
    await _migrate(db, folder)

    _write(folder, "0002_second.sql", "CREATE TABLE second (id TEXT);")
    assert await _migrate(db, folder) == 3
    assert await _migrate(db, folder) == 3  # nothing runs twice (CREATE TABLE would fail)
    assert {"first", "second", "third"} <= _tables(db)


def test_two_migrations_with_one_number_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    _write(folder, "0002_one.sql", "SELECT 1;")
    _write(folder, "0002_other.sql", "SELECT 2;")
    with pytest.raises(ValueError, match="two migrations are numbered 2"):
        available(folder)


def test_the_shipped_migrations_have_distinct_numbers() -> None:
    numbers = [number for number, _ in available()]
    assert numbers == sorted(set(numbers))
    assert 3 in numbers
