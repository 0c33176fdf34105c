"""Anchoring the audit chains outside the database: writing signed checkpoints, and checking chains against them.

`AuditAnchor.checkpoint` reads each organisation's chain head, checks that the chain
still extends that organisation's latest checkpoint (the anchored entry is unchanged
and every entry after it links), signs the head and appends a checkpoint to the sink.
A chain that does not extend its checkpoint is not signed: the checkpoint writer
never vouches for a rewrite. `AuditAnchor.verify` walks every chain and compares it
with the latest checkpoint of its organisation (`sigill audit verify`).

Wiring: file mode signs with an Ed25519 key beside the key file and appends to a JSON
lines file; production signs in Key Vault and writes to an immutable blob container.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from crypto.checkpoint_signing import CheckpointSigner, Signature, verify_signature
from sigill.config import Settings
from store import audit_chain
from store.audit_chain import Anchor
from store.checkpoints import Checkpoint, CheckpointSink, FileCheckpointSink, checkpoint_time, signed_payload
from store.errors import CorruptCheckpoint
from store.ports import Store
from store.records import Organisation

if TYPE_CHECKING:
    from sigill.keyrings import KeyVaultAccess

log = logging.getLogger(__name__)

SIGNING_KEY_FILE = "audit-signing-key.pem"
CHECKPOINT_FILE = "audit-checkpoints.jsonl"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `checkpoint` did for one organisation."""

    org: Organisation
    written: Checkpoint | None = None
    # Why no checkpoint was written although the head moved: the chain does not extend the last one.
    refused: str = ""

    def line(self) -> str:
        if self.written is not None:
            cp = self.written
            return (
                f"{self.org.name}: checkpoint at entry {cp.seq} ({cp.head_hash[:12] or 'empty chain'}),"
                f" {checkpoint_time(cp.at)}, signed by {cp.key_id}"
            )
        if self.refused:
            return f"{self.org.name}: no checkpoint written: {self.refused}"
        return f"{self.org.name}: unchanged since the last checkpoint"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of `verify`: about an organisation (or an organisation id the store no longer has)."""

    subject: str
    text: str
    ok: bool

    def line(self) -> str:
        return f"{self.subject}: {self.text}"


class AuditAnchor:
    def __init__(
        self,
        store: Store,
        signer: CheckpointSigner,
        sink: CheckpointSink,
        clock: Callable[[], datetime],
        closers: list[Callable[[], Awaitable[None]]] | None = None,
    ) -> None:
        self._store = store
        self._signer = signer
        self._sink = sink
        self._clock = clock
        self._closers = closers if closers is not None else [signer.close, sink.close]

    @property
    def sink(self) -> CheckpointSink:
        return self._sink

    async def close(self) -> None:
        closers, self._closers = self._closers, []
        for close in closers:
            with contextlib.suppress(Exception):
                await close()

    async def checkpoint(self, *, only_moved: bool = False) -> list[Outcome]:
        """Sign and append a checkpoint of every organisation's chain head (only those that moved, if asked).

        KeyringError when signing fails, StoreError when the store or the sink does.
        """
        latest = await self._sink.latest()
        outcomes = []
        for org in await self._store.organisations():
            outcomes.append(await self._checkpoint_one(org, latest.get(org.org_id), only_moved=only_moved))
        return outcomes

    async def _checkpoint_one(
        self, org: Organisation, last: Checkpoint | None, *, only_moved: bool
    ) -> Outcome:
        head = await self._store.audit_head(org.org_id)
        if only_moved and last is not None and (last.seq, last.head_hash) == head:
            return Outcome(org)
        anchor = None
        if last is not None:
            problem = await self._signature_problem(last)
            if problem:
                return Outcome(org, refused=f"its latest checkpoint ({checkpoint_time(last.at)}) {problem}")
            anchor = Anchor(last.seq, last.head_hash)
        after = anchor.seq - 1 if anchor is not None and anchor.seq > 0 else 0
        events = self._store.audit_events(org.org_id, after_seq=after)
        problem = await audit_chain.extension_problem(events, anchor, head)
        if problem:
            log.error("audit chain of organisation %s not anchored: %s", org.org_id, problem)
            return Outcome(org, refused=problem)
        seq, head_hash = head
        at = self._clock()
        signature = await self._signer.sign(signed_payload(org.org_id, seq, head_hash, at))
        checkpoint = Checkpoint(
            org.org_id, seq, head_hash, at, signature.key_id, signature.algorithm, signature.value
        )
        await self._sink.append(checkpoint)
        return Outcome(org, written=checkpoint)

    async def verify(self) -> list[Finding]:
        """Check every chain's links, and each against its organisation's latest checkpoint."""
        try:
            latest = await self._sink.latest()
        except CorruptCheckpoint as exc:
            return [Finding("checkpoints", f"cannot be read: {exc}", ok=False)]
        findings = []
        organisations = await self._store.organisations()
        for org in organisations:
            findings += await self._verify_one(org, latest.get(org.org_id))
        known = {org.org_id for org in organisations}
        for org_id, checkpoint in sorted(latest.items()):
            if org_id not in known:
                findings.append(
                    Finding(
                        f"organisation {org_id}",
                        f"missing: the store has no such organisation, but the checkpoint of"
                        f" {checkpoint_time(checkpoint.at)} covers {checkpoint.seq} entries of its audit trail",
                        ok=False,
                    )
                )
        return findings

    async def _verify_one(self, org: Organisation, checkpoint: Checkpoint | None) -> list[Finding]:
        findings = []
        anchor = None
        if checkpoint is not None:
            problem = await self._signature_problem(checkpoint)
            if problem:
                findings.append(
                    Finding(
                        org.name, f"the checkpoint of {checkpoint_time(checkpoint.at)} {problem}", ok=False
                    )
                )
            else:
                anchor = Anchor(checkpoint.seq, checkpoint.head_hash)
        head = await self._store.audit_head(org.org_id)
        report = await audit_chain.verify(self._store.audit_events(org.org_id), head, anchor)
        if report.broken_at is not None:
            findings.append(
                Finding(org.name, f"chain broken at entry {report.broken_at}: {report.reason}", False)
            )
        if report.anchor_problem and checkpoint is not None:
            when = checkpoint_time(checkpoint.at)
            findings.append(Finding(org.name, f"{report.anchor_problem} (checkpoint of {when})", ok=False))
        if report.ok and not findings:
            findings.append(Finding(org.name, _whole(report.entries, checkpoint), ok=True))
        return findings

    async def _signature_problem(self, checkpoint: Checkpoint) -> str:
        """Why `checkpoint` cannot be trusted ("" when its signature verifies with our public key)."""
        public_key = await self._signer.public_key(checkpoint.key_id)
        if public_key is None:
            return f"is signed by key {checkpoint.key_id}, which is not this installation's"
        signature = Signature(checkpoint.key_id, checkpoint.algorithm, checkpoint.signature)
        if not verify_signature(public_key, signature, checkpoint.payload):
            return "does not verify: its signature does not match what it states"
        return ""


def _whole(entries: int, checkpoint: Checkpoint | None) -> str:
    if checkpoint is None:
        return f"{entries} entries, chain whole, no checkpoint yet"
    return (
        f"{entries} entries, chain whole, matches the checkpoint of {checkpoint_time(checkpoint.at)}"
        f" at entry {checkpoint.seq}"
    )


@dataclass
class _Parts:
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for close in reversed(self.closers):
            with contextlib.suppress(Exception):
                await close()


async def open_anchor(
    settings: Settings,
    store: Store,
    clock: Callable[[], datetime],
    *,
    key_vault: KeyVaultAccess | None = None,
) -> AuditAnchor:
    """Open the checkpoint sink and the signer the settings name.

    In file mode the signing key is made when it is missing and the sink holds no
    checkpoint yet (a first start, or the first since checkpoints came); with
    checkpoints in the sink, a missing key stops the start (KeyringError) instead of
    being replaced. StoreError when the sink cannot be opened.
    """
    parts = _Parts()
    try:
        sink = _sink(settings)
        await sink.open()
        parts.closers.append(sink.close)
        signer = await _signer(settings, sink, key_vault, parts)
    except BaseException:
        await parts.close()
        raise
    return AuditAnchor(store, signer, sink, clock, closers=list(reversed(parts.closers)))


def _sink(settings: Settings) -> CheckpointSink:
    audit = settings.audit
    if audit.checkpoint_sink == "file":
        return FileCheckpointSink(audit.checkpoint_path or settings.data_dir / CHECKPOINT_FILE)
    from store.checkpoints_azure import BlobCheckpointSink

    connection_string = audit.checkpoint_connection_string or (
        "" if audit.checkpoint_account_url else settings.blobs.azure_connection_string
    )
    if connection_string:
        return BlobCheckpointSink.from_connection_string(connection_string, audit.checkpoint_container)
    from azure.identity.aio import DefaultAzureCredential

    account_url = audit.checkpoint_account_url or settings.blobs.azure_account_url
    return BlobCheckpointSink.from_account_url(
        account_url, DefaultAzureCredential(), audit.checkpoint_container
    )


async def _signer(
    settings: Settings, sink: CheckpointSink, key_vault: KeyVaultAccess | None, parts: _Parts
) -> CheckpointSigner:
    if settings.keys.backend == "keyvault":
        from crypto.checkpoint_signing_keyvault import KeyVaultCheckpointSigner

        if key_vault is None:
            from azure.identity.aio import DefaultAzureCredential

            credential = DefaultAzureCredential()
            parts.closers.append(credential.close)
            signer = KeyVaultCheckpointSigner(_signing_key_id(settings), credential)
        else:
            # The caller's credential: it closes it.
            signer = KeyVaultCheckpointSigner(
                _signing_key_id(settings), key_vault.credential, key_vault.transport
            )
        parts.closers.append(signer.close)
        return signer
    from crypto.checkpoint_signing import FileCheckpointSigner

    return FileCheckpointSigner.open(settings.data_dir / SIGNING_KEY_FILE, create=await sink.is_empty())


def _signing_key_id(settings: Settings) -> str:
    key = settings.audit.signing_key
    if key.startswith("https://"):
        return key
    from crypto.lookup_keyvault import vault_of

    return f"{vault_of(settings.keys.keyvault_key_id)}/keys/{key}"
