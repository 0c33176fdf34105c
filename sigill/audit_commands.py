"""`sigill audit checkpoint` and `sigill audit verify`: the audit chains and their signed checkpoints.

Both open the store and the checkpoint sink and signer only: no keyring, no demo data, so
they run beside a live server against the same store. Each prints one line per
organisation (per problem, for verify) and exits 1 when anything is wrong.
"""

from __future__ import annotations

import sys

from crypto.errors import CryptoError
from sigill import bootstrap
from sigill.audit_anchor import AuditAnchor, open_anchor
from sigill.config import Settings
from sigill.errors import StartupError
from store.errors import StoreError


async def audit(settings: Settings, action: str) -> int:
    async with bootstrap.maintenance(settings, with_keys=False) as parts:
        try:
            anchor = await open_anchor(settings, parts.store, bootstrap.utc_now)
        except (StoreError, CryptoError, OSError) as exc:
            raise StartupError(f"the audit checkpoints cannot be opened: {exc}") from None
        try:
            if action == "checkpoint":
                return await _checkpoint(anchor)
            return await _verify(anchor)
        except (StoreError, CryptoError) as exc:
            print(f"sigill: {exc}", file=sys.stderr)
            return 1
        finally:
            await anchor.close()


async def _checkpoint(anchor: AuditAnchor) -> int:
    outcomes = await anchor.checkpoint()
    for outcome in outcomes:
        print(outcome.line())
    if not outcomes:
        print("no organisations yet: nothing to checkpoint")
    return 1 if any(outcome.refused for outcome in outcomes) else 0


async def _verify(anchor: AuditAnchor) -> int:
    findings = await anchor.verify()
    for finding in findings:
        print(finding.line())
    return 0 if all(finding.ok for finding in findings) else 1
