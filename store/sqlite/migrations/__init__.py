"""The numbered SQL migrations of the SQLite records backend (package data)."""
