"""Key Vault mode: data keys wrapped by the vault, the lookup key a vault secret, nothing on local disk, clients closed.

The vault is tests/unit/crypto/fake_keyvault.py, an in-memory service that speaks the Key Vault REST
API to the real azure-keyvault-keys and azure-keyvault-secrets clients.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from messaging import accounts
from sigill import bootstrap, demo, key_commands
from sigill.config import Settings
from sigill.errors import StartupError
from sigill.keyrings import KeyVaultAccess
from tests.integration.harness import free_port, server_settings
from tests.unit.crypto.fake_keyvault import VAULT_URL, FakeCredential, FakeKeyVault

KEY_ID = f"{VAULT_URL}/keys/sigill-kek"


def _settings(data_dir: Path) -> Settings:
    return server_settings(
        "sqlite", data_dir, free_port(), keys={"backend": "keyvault", "keyvault_key_id": KEY_ID}
    )


def _key_files(data_dir: Path) -> list[str]:
    return [entry.name for entry in data_dir.iterdir() if "key" in entry.name]


@pytest.fixture
def vault() -> FakeKeyVault:
    vault = FakeKeyVault()
    vault.add_rsa_version("sigill-kek")
    return vault


async def test_the_lookup_key_lives_in_the_vault_and_nothing_on_disk(
    tmp_path: Path, vault: FakeKeyVault
) -> None:
    settings = _settings(tmp_path)
    first_credential = FakeCredential()

    components = await bootstrap.build(
        settings, key_vault=KeyVaultAccess(first_credential, vault.transport())
    )
    await components.close()

    assert not (tmp_path / "keys.json").exists()
    assert _key_files(tmp_path) == []
    assert len(vault.secrets["sigill-lookup-key"]) == 1
    assert first_credential.closed
    assert vault.transports_closed >= 1

    # A restart finds the same lookup key (the digests stored at the first start match) and opens what it sealed.
    second_credential = FakeCredential()
    restarted = await bootstrap.build(
        settings, key_vault=KeyVaultAccess(second_credential, vault.transport())
    )
    try:
        org = await restarted.store.organisation_by_domain(demo.VASTERAS.domain)
        assert org is not None
        async with restarted.store.unit_of_work(org.org_id) as uow:
            clinic = await uow.recipients.by_email(demo.CLINIC.email)
        assert clinic is not None and clinic.wrapped_key is not None
        method = accounts.sms_method(clinic)
        assert method is not None and restarted.lookup.matches(method.lookup_hash, "phone", demo.CLINIC_PHONE)
        assert await accounts.phone_of(restarted.deps, clinic, method) == demo.CLINIC_PHONE
    finally:
        await restarted.close()
    assert second_credential.closed


async def test_a_missing_lookup_secret_with_data_stops_the_start(tmp_path: Path, vault: FakeKeyVault) -> None:
    settings = _settings(tmp_path)
    components = await bootstrap.build(
        settings, key_vault=KeyVaultAccess(FakeCredential(), vault.transport())
    )
    await components.close()
    vault.secrets.clear()
    credential = FakeCredential()

    with pytest.raises(StartupError) as error:
        await bootstrap.build(settings, key_vault=KeyVaultAccess(credential, vault.transport()))

    assert "sigill-lookup-key" in str(error.value) and "\n" not in str(error.value)
    assert "sigill-lookup-key" not in vault.secrets  # never silently a new one
    assert credential.closed


async def test_an_unreachable_vault_stops_the_start(tmp_path: Path, vault: FakeKeyVault) -> None:
    vault.reachable = False
    credential = FakeCredential()

    with pytest.raises(StartupError) as error:
        await bootstrap.build(_settings(tmp_path), key_vault=KeyVaultAccess(credential, vault.transport()))

    assert "Key Vault" in str(error.value)
    assert credential.closed


async def test_keys_list_shows_the_vault_key_versions(
    tmp_path: Path, vault: FakeKeyVault, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    components = await bootstrap.build(
        settings, key_vault=KeyVaultAccess(FakeCredential(), vault.transport())
    )
    await components.close()
    newest = vault.add_rsa_version("sigill-kek")

    status = await key_commands.keys(
        settings, "list", key_vault=KeyVaultAccess(FakeCredential(), vault.transport())
    )

    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("  old  1 wrapped key")  # the demo clinic's account key
    assert lines[1] == f"{newest}  made 2023-11-14T22:13:21Z  current  0 wrapped keys"
