"""The Teams app manifest: valid against the official v1.27 schema, with every per-deployment value from settings.

It declares the bot, the personal tab "Meddelanden" and the Outlook add-in (`extensions`, the unified manifest).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sigill import config, manifest_icons, manifests
from tests.unit.manifests.teams_schema import LOCALIZATION_SCHEMA, MANIFEST_SCHEMA, schema_errors

BOT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SSO = "9b2c7d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ADDIN = "5d6f3c1a-8b2e-4f7a-9c0d-1e2f3a4b5c6d"
HOST = "sigill.vasteras.example"
PRODUCTION: dict[str, Any] = {
    "mode": "production",
    "public_url": "https://sigill.vasteras.example",
    "entra": {"tenants": {TENANT: "vasteras.example"}, "audiences": ["api://sigill"]},
    "outlook": {"addin_id": ADDIN},
}
COMMANDS = ["nytt", "inkorg", "skickade", "länkar", "funktionsbrevlåda", "hjälp"]


def _built(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    package = manifests.build(config.load(environ={}, overrides=overrides), tmp_path).files[0]
    with zipfile.ZipFile(package) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


def _production(**teams: Any) -> dict[str, Any]:
    ids = {
        "bot_app_id": BOT,
        "sso_app_id": SSO,
        "tenant_id": TENANT,
        "bot_client_secret": "not-a-real-secret",
    }
    return {**PRODUCTION, "teams": {**ids, **teams}}


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


def _urls(document: Any) -> list[str]:
    """Every string in the manifest that is a web address (http or https; not the api:// SSO resource)."""
    if isinstance(document, dict):
        return [url for value in document.values() for url in _urls(value)]
    if isinstance(document, list):
        return [url for item in document for url in _urls(item)]
    return [document] if isinstance(document, str) and document.startswith(("http://", "https://")) else []


def test_the_personal_tab_meddelanden_opens_the_staff_app_beside_the_bot_chat(tmp_path: Path) -> None:
    manifest = _built(tmp_path, **_production())
    assert schema_errors(manifest, MANIFEST_SCHEMA) == []
    tab, chat = manifest["staticTabs"]
    assert tab == {
        "entityId": "meddelanden",
        "name": "Meddelanden",
        "contentUrl": f"https://{HOST}/app/teams/",
        "websiteUrl": f"https://{HOST}/app/",
        "scopes": ["personal"],
        "context": ["personalTab"],
    }
    # The bot's chat stays, after the tab: the app opens on Meddelanden.
    assert chat == {"entityId": "conversations", "scopes": ["personal"]}
    assert manifest["bots"][0]["botId"] == BOT


def test_the_tab_signs_in_with_sso_on_the_valid_domain(tmp_path: Path) -> None:
    manifest = _built(tmp_path, **_production())
    # Teams SSO: the resource is api://<the tab's host>/<app id>, and the tab's host is a valid domain.
    assert manifest["webApplicationInfo"] == {"id": SSO, "resource": f"api://{HOST}/{SSO}"}
    assert urlsplit(manifest["staticTabs"][0]["contentUrl"]).netloc in manifest["validDomains"]


def test_the_outlook_add_in_is_declared_in_the_same_package(tmp_path: Path) -> None:
    manifest = _built(tmp_path, **_production())
    assert schema_errors(manifest, MANIFEST_SCHEMA) == []
    assert manifest["authorization"] == {
        "permissions": {"resourceSpecific": [{"name": "MailboxItem.ReadWrite.User", "type": "Delegated"}]}
    }
    [extension] = manifest["extensions"]
    assert extension["requirements"] == {
        "scopes": ["mail"],
        "capabilities": [{"name": "Mailbox", "minVersion": "1.8"}],
    }
    pages = {
        action["id"]: (runtime["code"]["page"], action["type"])
        for runtime in extension["runtimes"]
        for action in runtime["actions"]
    }
    buttons = {}
    for ribbon in extension["ribbons"]:
        [context] = ribbon["contexts"]
        [tab] = ribbon["tabs"]
        assert tab["builtInTabId"] == "TabDefault"
        [group] = tab["groups"]
        [control] = group["controls"]
        assert control["type"] == "button"
        assert control["supertip"]["title"] == control["label"]
        assert {icon["size"]: icon["url"] for icon in control["icons"]} == {
            size: f"https://{HOST}/icons/sigill-{size}.png" for size in (16, 32, 80)
        }
        buttons[context] = (control["label"], *pages[control["actionId"]])
    assert buttons == {
        "mailCompose": ("Kryptera meddelande", f"https://{HOST}/app/outlook/compose.html", "openPage"),
        "mailRead": ("Öppna meddelande", f"https://{HOST}/app/outlook/read.html", "openPage"),
    }
    # With both deployed, the package's add-in hides the XML one: users see each button once.
    [alternate] = extension["alternates"]
    assert alternate["hide"] == {"customOfficeAddin": {"officeAddinId": ADDIN}}


def test_every_address_in_the_package_is_https_on_the_configured_host(tmp_path: Path) -> None:
    manifest = _built(tmp_path, **_production())
    found = [url for url in _urls(manifest) if not url.startswith("https://developer.microsoft.com/")]
    assert len(found) >= 15
    for url in found:
        assert (urlsplit(url).scheme, urlsplit(url).netloc) == ("https", HOST), url


def test_english_names_the_tab_and_the_add_in_buttons(tmp_path: Path) -> None:
    manifest = _built(tmp_path)
    english = json.loads((manifests.TEAMS_DIR / "en.json").read_text(encoding="utf-8"))
    assert english["staticTabs[0].name"] == "Messages"
    compose = "extensions[0].ribbons[0].tabs[0].groups[0].controls[0]"
    read = "extensions[0].ribbons[1].tabs[0].groups[0].controls[0]"
    assert (english[f"{compose}.label"], english[f"{read}.label"]) == ("Encrypt message", "Open message")
    # Every localized key names an element that exists, and holds a string of the same kind.
    for key in english:
        if key.startswith(("staticTabs", "extensions")):
            assert isinstance(_at(manifest, key), str), key


def _at(document: Any, key: str) -> Any:
    """The value at a localization key such as `extensions[0].ribbons[1].tabs[0].label`."""
    for name, index in re.findall(r"([A-Za-z]+)(?:\[(\d+)\])?", key):
        document = document[name]
        if index:
            document = document[int(index)]
    return document
