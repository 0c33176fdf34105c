"""Audit checkpoints are signed with a key outside the database, and verify with the public key alone.

The file signer's key is a real file; the Key Vault signer talks to the in-memory vault of
fake_keyvault.py through the real azure-keyvault-keys clients.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from crypto.checkpoint_signing import ED25519, ES256, FileCheckpointSigner, Signature, verify_signature
from crypto.checkpoint_signing_keyvault import KeyVaultCheckpointSigner
from crypto.errors import KeyringError
from tests.unit.crypto.fake_keyvault import FakeCredential, FakeKeyVault

PAYLOAD = b'{"format":"sigill-checkpoint/1","head_hash":"ab","org_id":"org-1","seq":42}'


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _flip(signature: Signature) -> Signature:
    value = bytearray(signature.value)
    value[5] ^= 0x01
    return Signature(signature.key_id, signature.algorithm, bytes(value))


async def test_the_file_key_is_created_private_and_kept_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "var" / "audit-signing-key.pem"
    first = FileCheckpointSigner.open(path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()

    again = FileCheckpointSigner.open(path, create=False)
    assert again.key_id == first.key_id
    signature = await first.sign(PAYLOAD)
    assert signature.algorithm == ED25519 and signature.key_id == first.key_id
    public = await again.public_key(signature.key_id)
    assert public is not None and verify_signature(public, signature, PAYLOAD)


async def test_a_file_signature_verifies_with_the_public_key_alone(tmp_path: Path) -> None:
    signer = FileCheckpointSigner.open(tmp_path / "k.pem", create=True)
    signature = await signer.sign(PAYLOAD)
    public = await signer.public_key(signer.key_id)
    assert public is not None and b"PRIVATE" not in public
    del signer  # nothing but the public PEM is left

    assert verify_signature(public, signature, PAYLOAD)
    assert not verify_signature(public, signature, PAYLOAD.replace(b"42", b"41"))
    assert not verify_signature(public, _flip(signature), PAYLOAD)
    assert not verify_signature(public, Signature(signature.key_id, ES256, signature.value), PAYLOAD)
    other = FileCheckpointSigner.open(tmp_path / "other.pem", create=True)
    other_public = await other.public_key(other.key_id)
    assert other_public is not None and not verify_signature(other_public, signature, PAYLOAD)
    assert await other.public_key(signature.key_id) is None  # not its key


def test_a_missing_key_is_not_silently_replaced(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="missing"):
        FileCheckpointSigner.open(tmp_path / "gone.pem", create=False)
    assert not (tmp_path / "gone.pem").exists()


def test_a_key_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    FileCheckpointSigner.open(path, create=True)
    path.chmod(0o640)
    with pytest.raises(KeyringError, match="chmod 600"):
        FileCheckpointSigner.open(path, create=False)


def test_a_key_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(b"not a key")
    path.chmod(0o600)
    with pytest.raises(KeyringError, match="Ed25519"):
        FileCheckpointSigner.open(path, create=False)


@pytest.fixture
def vault() -> FakeKeyVault:
    return FakeKeyVault()


def _signer(vault: FakeKeyVault, key_id: str, **options: object) -> KeyVaultCheckpointSigner:
    return KeyVaultCheckpointSigner(key_id, FakeCredential(), vault.transport(), **options)  # type: ignore[arg-type]


async def test_key_vault_signs_es256_that_verifies_with_the_public_key_alone(vault: FakeKeyVault) -> None:
    version_id = vault.add_ec_version("sigill-audit")
    signer = _signer(vault, f"{vault.vault_url}/keys/sigill-audit")
    signature = await signer.sign(PAYLOAD)
    await signer.close()
    assert (signature.key_id, signature.algorithm, len(signature.value)) == (version_id, ES256, 64)
    assert vault.operations("sign") == 1  # signed in the vault, not locally

    # The public key as anyone with read access to the vault gets it; no Sigill code involved.
    public = vault.public_key(version_id).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert verify_signature(public, signature, PAYLOAD)
    assert not verify_signature(public, _flip(signature), PAYLOAD)
    assert not verify_signature(public, signature, PAYLOAD + b" ")
    assert not verify_signature(public, Signature(version_id, ED25519, signature.value), PAYLOAD)


async def test_key_vault_hands_out_public_keys_of_its_own_key_only(vault: FakeKeyVault) -> None:
    first = vault.add_ec_version("sigill-audit")
    clock = Clock()
    signer = _signer(vault, f"{vault.vault_url}/keys/sigill-audit", clock=clock)
    old = await signer.sign(PAYLOAD)
    second = vault.add_ec_version("sigill-audit")  # rotated in the vault
    clock.now += 301
    new = await signer.sign(PAYLOAD)
    assert (old.key_id, new.key_id) == (first, second)

    for signature in (old, new):
        public = await _signer(vault, f"{vault.vault_url}/keys/sigill-audit").public_key(signature.key_id)
        assert public is not None and verify_signature(public, signature, PAYLOAD)
    requests = len(vault.requests)
    assert await signer.public_key("https://elsewhere.vault.azure.net/keys/sigill-audit/abc") is None
    assert await signer.public_key(f"{vault.vault_url}/keys/other/{first.rsplit('/', 1)[1]}") is None
    assert await signer.public_key(f"{vault.vault_url}/keys/sigill-audit/{'0' * 32}") is None
    assert len(vault.requests) == requests + 1  # only the unknown version of our own key was looked up
    await signer.close()


async def test_key_vault_refuses_a_key_that_is_not_ec_p256(vault: FakeKeyVault) -> None:
    vault.add_rsa_version("not-ec")
    with pytest.raises(KeyringError, match="EC P-256"):
        await _signer(vault, f"{vault.vault_url}/keys/not-ec").sign(PAYLOAD)


async def test_an_unreachable_vault_is_a_keyring_error(vault: FakeKeyVault) -> None:
    vault.add_ec_version("sigill-audit")
    vault.reachable = False
    with pytest.raises(KeyringError, match="cannot be read"):
        await _signer(vault, f"{vault.vault_url}/keys/sigill-audit").sign(PAYLOAD)


def test_a_malformed_key_vault_id_is_refused() -> None:
    with pytest.raises(KeyringError, match="looks like"):
        KeyVaultCheckpointSigner("http://vault/keys/x", FakeCredential())  # type: ignore[arg-type]
