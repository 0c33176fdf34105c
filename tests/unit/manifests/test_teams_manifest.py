"""The Teams app manifest: valid against the official v1.27 schema, with every per-deployment value from settings."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sigill import config, manifest_icons, manifests
from tests.unit.manifests.teams_schema import LOCALIZATION_SCHEMA, MANIFEST_SCHEMA, schema_errors

BOT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SSO = "9b2c7d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
PRODUCTION: dict[str, Any] = {
    "mode": "production",
    "public_url": "https://sigill.vasteras.example",
    "entra": {"tenants": {TENANT: "vasteras.example"}, "audiences": ["api://sigill"]},
}
COMMANDS = ["nytt", "inkorg", "skickade", "länkar", "funktionsbrevlåda", "hjälp"]


def _built(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    package = manifests.build(config.load(environ={}, overrides=overrides), tmp_path).files[0]
    with zipfile.ZipFile(package) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


def _production(**teams: Any) -> dict[str, Any]:
    return {**PRODUCTION, "teams": {"bot_app_id": BOT, "sso_app_id": SSO, "tenant_id": TENANT, **teams}}


def test_the_development_package_is_a_valid_manifest_with_marked_placeholder_ids(tmp_path: Path) -> None:
    manifest = _built(tmp_path)
    assert schema_errors(manifest, MANIFEST_SCHEMA) == []
    assert manifest["manifestVersion"] == "1.27"
    assert manifest["bots"][0]["botId"] == manifest["id"] == manifests.DEV_PLACEHOLDER_ID
    assert manifest["validDomains"] == ["127.0.0.1:8080"]
    assert manifest["developer"]["privacyUrl"] == "http://127.0.0.1:8080/privacy"
    # The accent colour is the colour icon's background.
    assert manifest["accentColor"] == "#{:02X}{:02X}{:02X}".format(*manifest_icons.BRAND_RGB)


def test_production_values_come_from_the_configuration(tmp_path: Path) -> None:
    manifest = _built(tmp_path, **_production(version="2.3.0", organisation_name="Västerås stad"))
    assert schema_errors(manifest, MANIFEST_SCHEMA) == []
    assert (manifest["id"], manifest["version"], manifest["bots"][0]["botId"]) == (BOT, "2.3.0", BOT)
    assert manifest["webApplicationInfo"] == {"id": SSO, "resource": f"api://sigill.vasteras.example/{SSO}"}
    assert manifest["validDomains"] == ["sigill.vasteras.example"]
    assert manifest["developer"] == {
        "name": "Västerås stad",
        "websiteUrl": "https://sigill.vasteras.example/",
        "privacyUrl": "https://sigill.vasteras.example/privacy",
        "termsOfUseUrl": "https://sigill.vasteras.example/terms",
    }
    assert manifests.DEV_PLACEHOLDER_ID not in json.dumps(manifest)


def test_explicit_ids_and_urls_win_over_the_derived_ones(tmp_path: Path) -> None:
    app = "0f8fad5b-d9cb-469f-a165-70867728950e"
    manifest = _built(
        tmp_path,
        **_production(
            app_id=app,
            sso_resource="api://sigill.vasteras.example/custom",
            privacy_url="https://www.vasteras.example/integritet",
            accent_color="#AA3300",
        ),
    )
    assert (manifest["id"], manifest["bots"][0]["botId"]) == (app, BOT)
    assert manifest["webApplicationInfo"]["resource"] == "api://sigill.vasteras.example/custom"
    assert manifest["developer"]["privacyUrl"] == "https://www.vasteras.example/integritet"
    assert manifest["accentColor"] == "#AA3300"


def test_the_bot_is_personal_with_swedish_commands(tmp_path: Path) -> None:
    bot = _built(tmp_path)["bots"][0]
    assert bot["scopes"] == ["personal"]
    [command_list] = bot["commandLists"]
    assert command_list["scopes"] == ["personal"]
    assert [command["title"] for command in command_list["commands"]] == COMMANDS
    assert all(command["description"] for command in command_list["commands"])


def test_swedish_is_the_default_language_and_english_is_a_valid_localization(tmp_path: Path) -> None:
    manifest = _built(tmp_path)
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "sv-SE",
        "additionalLanguages": [{"languageTag": "en-US", "file": "en.json"}],
    }
    english = json.loads((manifests.TEAMS_DIR / "en.json").read_text(encoding="utf-8"))
    assert schema_errors(english, LOCALIZATION_SCHEMA) == []
    assert english["name.short"] == manifest["name"]["short"]
    assert english["description.short"] != manifest["description"]["short"]
    # Every localized command names a command that exists, and every command has an English title.
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    titled = {
        int(match.group(1))
        for key in english
        if (match := re.fullmatch(r"bots\[0\]\.commandLists\[0\]\.commands\[(\d+)\]\.title", key))
    }
    assert titled == set(range(len(commands)))


def test_configuration_values_are_inserted_as_text_not_as_json(tmp_path: Path) -> None:
    manifest = _built(tmp_path, teams={"organisation_name": 'Kommun "A", ${{BOT_APP_ID}}'})
    assert manifest["developer"]["name"] == 'Kommun "A", ${{BOT_APP_ID}}'
    assert schema_errors(manifest, MANIFEST_SCHEMA) == []


@pytest.mark.parametrize("key", ["bot_app_id", "sso_app_id"])
def test_production_without_an_id_is_one_line_naming_it(tmp_path: Path, key: str) -> None:
    settings = config.load(environ={}, overrides=_production(**{key: ""}))
    with pytest.raises(config.ConfigError, match=rf"^teams\.{key}: production needs it") as raised:
        manifests.build(settings, tmp_path / "out")
    assert "\n" not in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_production_refuses_a_plain_http_developer_page(tmp_path: Path) -> None:
    settings = config.load(environ={}, overrides=_production(terms_url="http://vasteras.example/villkor"))
    with pytest.raises(config.ConfigError, match=r"^teams\.terms_url: give an https:// address$"):
        manifests.build(settings, tmp_path)


@pytest.mark.parametrize(
    ("teams", "problem"),
    [
        ({"bot_app_id": "not-a-guid"}, "teams.bot_app_id: give a GUID"),
        ({"tenant_id": "72f988bf"}, "teams.tenant_id: give a GUID"),
        ({"organisation_name": "x" * 33}, "teams.organisation_name:"),
        ({"version": "1.0"}, "teams.version:"),
        ({"accent_color": "blue"}, "teams.accent_color:"),
        ({"bot_id": BOT}, "teams.bot_id: unknown setting"),
    ],
)
def test_a_bad_teams_setting_is_one_line_naming_the_key(teams: dict[str, str], problem: str) -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.load(environ={}, overrides={"teams": teams})
    assert str(raised.value).startswith(problem)
    assert "\n" not in str(raised.value)


def test_teams_settings_come_from_the_environment() -> None:
    settings = config.load(environ={"SIGILL_TEAMS_BOT_APP_ID": BOT, "SIGILL_TEAMS_TENANT_ID": TENANT})
    assert (settings.teams.bot_app_id, settings.teams.tenant_id) == (BOT, TENANT)
