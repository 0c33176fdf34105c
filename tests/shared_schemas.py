"""Where the official schemas the tests validate against live (../shared/schemas, never copied into the project).

A working copy sits beside the shared folder; a fresh clone made elsewhere (CI clones into a temporary folder) finds
it through SIGILL_SHARED_DIR or the machine's /work/shared. Missing schemas fail the tests loudly: they are never
skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def schemas_dir() -> Path:
    candidates = [
        Path(os.environ["SIGILL_SHARED_DIR"]) if os.environ.get("SIGILL_SHARED_DIR") else None,
        REPO_ROOT.parent / "shared",
        Path("/work/shared"),
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "schemas").is_dir():
            return candidate / "schemas"
    raise FileNotFoundError(
        "the official schemas are not found: set SIGILL_SHARED_DIR to the folder that holds schemas/"
    )
