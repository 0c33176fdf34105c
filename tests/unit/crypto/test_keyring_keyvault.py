"""The Key Vault keyring against an in-memory vault that speaks the Key Vault REST API.

The real azure-keyvault-keys clients run unchanged; only the transport is replaced (see
fake_keyvault.py), so authentication challenges, URLs, JSON bodies and error mapping are exercised.
"""

from __future__ import annotations

import pytest

from crypto.envelope import Envelope
from crypto.errors import DecryptionError, KeyringError
from crypto.keyring_keyvault import KeyVaultKeyring
from crypto.wrapped import key_id_of, parse, prefix_for
from tests.unit.crypto.fake_keyvault import FakeCredential, FakeKeyVault
from tests.unit.crypto.support import assert_opaque

KEY_AD = b"sigill/1\x1forg-1\x1fmessage-1\x1fkey"
CONTENT_AD = b"sigill/1\x1forg-1\x1fmessage-1\x1fcontent"
BODY = b"Kallelse till LSS-handl\xc3\xa4ggare"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def vault() -> FakeKeyVault:
    return FakeKeyVault()


def keyring(vault: FakeKeyVault, key_id: str, **options: object) -> KeyVaultKeyring:
    return KeyVaultKeyring(key_id, FakeCredential(), vault.transport(), **options)  # type: ignore[arg-type]


async def test_rsa_round_trip_wraps_locally_and_unwraps_in_the_vault(vault: FakeKeyVault) -> None:
    version_id = vault.add_rsa_version("sigill-kek")
    credential = FakeCredential()
    ring = KeyVaultKeyring(f"{vault.vault_url}/keys/sigill-kek", credential, vault.transport())
    envelope = Envelope(ring)

    key, wrapped = await envelope.new_data_key(KEY_AD)
    sealed = key.encrypt(BODY, CONTENT_AD)
    assert key_id_of(wrapped) == version_id == ring.current_key_id()
    assert vault.operations("wrapkey") == 0  # wrapped with the public half fetched once

    for _ in range(2):  # a fresh process each time
        restarted = Envelope(KeyVaultKeyring(version_id, FakeCredential(), vault.transport()))
        assert (await restarted.open_data_key(wrapped, KEY_AD)).decrypt(sealed, CONTENT_AD) == BODY
    assert vault.operations("unwrapkey") == 2
    assert vault.tokens_seen == {"Bearer fake-access-token"}


async def test_a256kw_wraps_and_unwraps_in_the_vault(vault: FakeKeyVault) -> None:
    version_id = vault.add_oct_version("sigill-hsm-kek")
    envelope = Envelope(keyring(vault, f"{vault.vault_url}/keys/sigill-hsm-kek", algorithm="A256KW"))
    key, wrapped = await envelope.new_data_key(KEY_AD)
    sealed = key.encrypt(BODY, CONTENT_AD)
    assert vault.operations("wrapkey") == 1

    restarted = Envelope(keyring(vault, version_id, algorithm="A256KW"))
    assert (await restarted.open_data_key(wrapped, KEY_AD)).decrypt(sealed, CONTENT_AD) == BODY
    assert vault.operations("unwrapkey") == 1


async def test_a_new_key_version_in_the_vault_is_the_rotation(vault: FakeKeyVault) -> None:
    first_version = vault.add_rsa_version("kek")
    clock = Clock()
    ring = keyring(vault, f"{vault.vault_url}/keys/kek", refresh_seconds=300, clock=clock)
    envelope = Envelope(ring)
    old_key, old_wrapped = await envelope.new_data_key(KEY_AD)
    sealed = old_key.encrypt(BODY, CONTENT_AD)

    second_version = vault.add_rsa_version("kek")
    _, still_old = await envelope.new_data_key(KEY_AD)
    assert key_id_of(still_old) == first_version  # not looked again yet
    clock.now += 301
    _, new_wrapped = await envelope.new_data_key(KEY_AD)

    assert key_id_of(new_wrapped) == second_version == ring.current_key_id()
    assert (await envelope.open_data_key(old_wrapped, KEY_AD)).decrypt(sealed, CONTENT_AD) == BODY
    rewrapped = await envelope.rewrap(old_wrapped, KEY_AD)
    assert rewrapped is not None
    assert key_id_of(rewrapped) == second_version
    assert (await envelope.open_data_key(rewrapped, KEY_AD)).decrypt(sealed, CONTENT_AD) == BODY
    assert await envelope.rewrap(rewrapped, KEY_AD) is None


async def test_ping_learns_the_newest_version(vault: FakeKeyVault) -> None:
    vault.add_rsa_version("kek")
    ring = keyring(vault, f"{vault.vault_url}/keys/kek")
    await ring.ping()
    newest = vault.add_rsa_version("kek")
    await ring.ping()
    assert ring.current_key_id() == newest


async def test_rewrap_before_the_first_look_finds_nothing_to_do(vault: FakeKeyVault) -> None:
    vault.add_rsa_version("kek")
    _, wrapped = await Envelope(keyring(vault, f"{vault.vault_url}/keys/kek")).new_data_key(KEY_AD)
    fresh = Envelope(keyring(vault, f"{vault.vault_url}/keys/kek"))  # knows only the versionless id
    assert await fresh.rewrap(wrapped, KEY_AD) is None


async def test_a_pinned_version_stays_in_use_after_rotation(vault: FakeKeyVault) -> None:
    pinned = vault.add_rsa_version("kek")
    vault.add_rsa_version("kek")
    ring = keyring(vault, pinned, clock=Clock(), refresh_seconds=0)
    _, wrapped = await Envelope(ring).new_data_key(KEY_AD)
    assert key_id_of(wrapped) == pinned
    await ring.ping()
    assert ring.current_key_id() == pinned


@pytest.mark.parametrize(
    "foreign",
    [
        "https://evil.example/keys/kek/0123",
        "https://other-vault.vault.azure.net/keys/kek/0123",
        "https://sigill-test.vault.azure.net/keys/other-key/0123",
        "https://sigill-test.vault.azure.net/keys/kek",
        "http://sigill-test.vault.azure.net/keys/kek/0123",
        "kek-1-0a0b0c0d",
    ],
)
async def test_a_wrapped_key_naming_another_key_is_refused_without_a_request(
    vault: FakeKeyVault, foreign: str
) -> None:
    vault.add_rsa_version("kek")
    ring = keyring(vault, f"{vault.vault_url}/keys/kek")
    _, wrapped = await Envelope(ring).new_data_key(KEY_AD)
    forged = prefix_for(foreign) + parse(wrapped).body
    served = len(vault.requests)
    with pytest.raises(DecryptionError) as error:
        await ring.unwrap(forged, KEY_AD)
    assert_opaque(error)
    assert len(vault.requests) == served


@pytest.mark.parametrize("algorithm", ["RSA-OAEP-256", "A256KW"])
async def test_altered_wrapped_keys_are_refused(vault: FakeKeyVault, algorithm: str) -> None:
    add = vault.add_rsa_version if algorithm == "RSA-OAEP-256" else vault.add_oct_version
    add("kek")
    ring = keyring(vault, f"{vault.vault_url}/keys/kek", algorithm=algorithm)
    _, wrapped = await Envelope(ring).new_data_key(KEY_AD)
    prefix_length = len(parse(wrapped).prefix)
    positions = {
        "algorithm byte": prefix_length,
        "length": prefix_length + 2,
        "key as wrapped by the vault": prefix_length + 10,
        "local nonce": len(wrapped) - 50,
        "local tag": len(wrapped) - 1,
    }
    for position in positions.values():
        tampered = bytearray(wrapped)
        tampered[position] ^= 0x04
        with pytest.raises(DecryptionError) as error:
            await ring.unwrap(bytes(tampered), KEY_AD)
        assert_opaque(error)
    with pytest.raises(DecryptionError):
        await ring.unwrap(wrapped, KEY_AD.replace(b"message-1", b"message-2"))
    with pytest.raises(DecryptionError):
        await ring.unwrap(wrapped[:-1], KEY_AD)


async def test_a_deleted_key_version_reads_as_a_decryption_failure(vault: FakeKeyVault) -> None:
    vault.add_oct_version("kek")
    ring = keyring(vault, f"{vault.vault_url}/keys/kek", algorithm="A256KW")
    _, wrapped = await Envelope(ring).new_data_key(KEY_AD)
    vault.keys["kek"].clear()
    with pytest.raises(DecryptionError):
        await ring.unwrap(wrapped, KEY_AD)


async def test_an_unreachable_vault_is_a_keyring_error_not_a_decryption_failure(vault: FakeKeyVault) -> None:
    vault.add_rsa_version("kek")
    ring = keyring(vault, f"{vault.vault_url}/keys/kek")
    _, wrapped = await Envelope(ring).new_data_key(KEY_AD)
    vault.reachable = False

    with pytest.raises(KeyringError) as error:
        await ring.ping()
    assert "sigill-test.vault.azure.net/keys/kek" in str(error.value)
    with pytest.raises(KeyringError):
        await Envelope(keyring(vault, f"{vault.vault_url}/keys/kek")).new_data_key(KEY_AD)
    with pytest.raises(KeyringError):
        await ring.unwrap(wrapped, KEY_AD)


@pytest.mark.parametrize(
    "key_id",
    ["not a url", "https://sigill-test.vault.azure.net/secrets/kek", "https://sigill-test.vault.azure.net/"],
)
def test_a_malformed_key_id_is_refused(vault: FakeKeyVault, key_id: str) -> None:
    with pytest.raises(KeyringError):
        keyring(vault, key_id)


@pytest.mark.parametrize("algorithm", ["RSA1_5", "RSA-OAEP", "A128KW", "nonsense"])
def test_only_strong_wrapping_algorithms_are_accepted(vault: FakeKeyVault, algorithm: str) -> None:
    with pytest.raises(KeyringError):
        keyring(vault, f"{vault.vault_url}/keys/kek", algorithm=algorithm)


async def test_the_credential_is_asked_for_a_key_vault_token(vault: FakeKeyVault) -> None:
    vault.add_rsa_version("kek")
    credential = FakeCredential()
    ring = KeyVaultKeyring(f"{vault.vault_url}/keys/kek", credential, vault.transport())
    await ring.ping()
    await ring.close()
    assert credential.scopes == ["https://vault.azure.net/.default"]
