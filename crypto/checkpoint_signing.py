"""Signing audit checkpoints with a key that lives outside the database.

A checkpoint states "organisation O's audit chain had entry N with hash H at time T";
its signature is what lets an auditor trust that statement later, even when everything
in the database has been rewritten since. Two signers implement `CheckpointSigner`:

- `FileCheckpointSigner`: an Ed25519 key in a PEM file beside the key file (mode 0600),
  for the embedded default.
- `KeyVaultCheckpointSigner` (crypto.checkpoint_signing_keyvault): an EC P-256 key in
  Azure Key Vault that signs ES256 (ECDSA over SHA-256) in the vault; the private half
  never leaves it.

Verification needs the public key alone (`verify_signature`): a signer hands out the
public key a key id names, in PEM, and nothing else. The verifier chooses the algorithm
from the key's type, never from what a checkpoint claims, so a forged checkpoint cannot
pick a weaker check. An ES256 signature is the raw 64 bytes r | s, as Key Vault and JWS
write it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from crypto.errors import KeyringError
from crypto.private_files import read_private_file

ED25519: Final = "Ed25519"
ES256: Final = "ES256"
ES256_SIZE: Final = 64


@dataclass(frozen=True, slots=True)
class Signature:
    key_id: str
    algorithm: str
    value: bytes


class CheckpointSigner(Protocol):
    async def sign(self, payload: bytes) -> Signature:
        """Sign `payload` with the current key; KeyringError when the key cannot be used."""
        ...

    async def public_key(self, key_id: str) -> bytes | None:
        """The public key (PEM) that `key_id` names, or None when it is not one of ours."""
        ...

    async def close(self) -> None: ...


def verify_signature(public_key_pem: bytes, signature: Signature, payload: bytes) -> bool:
    """Whether `signature` over `payload` was made by the private half of `public_key_pem`."""
    try:
        key = serialization.load_pem_public_key(public_key_pem)
    except (ValueError, UnsupportedAlgorithm):
        return False
    try:
        if isinstance(key, ed25519.Ed25519PublicKey) and signature.algorithm == ED25519:
            key.verify(signature.value, payload)
            return True
        if (
            isinstance(key, ec.EllipticCurvePublicKey)
            and isinstance(key.curve, ec.SECP256R1)
            and signature.algorithm == ES256
            and len(signature.value) == ES256_SIZE
        ):
            r, s = (int.from_bytes(half, "big") for half in (signature.value[:32], signature.value[32:]))
            key.verify(encode_dss_signature(r, s), payload, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False


def public_pem(key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class FileCheckpointSigner:
    """An Ed25519 key in a PEM file readable by its owner only."""

    def __init__(self, path: Path, private_key: ed25519.Ed25519PrivateKey) -> None:
        # Use `FileCheckpointSigner.open`.
        self._path = path
        self._private = private_key
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        # The id is the key's fingerprint: a checkpoint names exactly the key that signed it.
        self._key_id = f"ed25519:{hashlib.sha256(raw).hexdigest()[:32]}"

    def __repr__(self) -> str:
        return f"FileCheckpointSigner({str(self._path)!r})"

    @classmethod
    def open(cls, path: Path, *, create: bool) -> FileCheckpointSigner:
        """Load the key at `path`; create it (mode 0600) when it is missing and `create` is set."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise KeyringError(
                    f"audit signing key {path} is missing, but checkpoints signed with it exist; restore it"
                )
            _create_private_file(path, _new_ed25519_pem())
        return cls(path, _load_ed25519(path))

    @property
    def path(self) -> Path:
        return self._path

    @property
    def key_id(self) -> str:
        return self._key_id

    async def sign(self, payload: bytes) -> Signature:
        return Signature(self._key_id, ED25519, self._private.sign(payload))

    async def public_key(self, key_id: str) -> bytes | None:
        return public_pem(self._private.public_key()) if key_id == self._key_id else None

    async def close(self) -> None:
        return None


def _new_ed25519_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_ed25519(path: Path) -> ed25519.Ed25519PrivateKey:
    raw, _ = read_private_file(path, "audit signing key")
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise KeyringError(f"audit signing key {path} is not an Ed25519 private key in PEM")
    return key


def _create_private_file(path: Path, data: bytes) -> None:
    """Write `data` to a new file at `path`, mode 0600 from its creation; keep a file another process made first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        # link() fails when the name exists, unlike rename(): two first starts never replace each other's key.
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
