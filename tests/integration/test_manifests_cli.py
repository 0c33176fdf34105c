"""`sigill manifests build --out DIR`: the packages an administrator uploads, run as the command.

DIR/teams-app.zip holds the Teams app (bot, the tab "Meddelanden", the Outlook add-in); DIR/outlook-manifest.xml the
same add-in as an XML manifest. The last test starts the real server and fetches every page and icon both name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from sigill import manifests
from sigill.manifests import DEV_PLACEHOLDER_ID
from tests.integration.harness import free_port, server_settings, started
from tests.unit.manifests import outlook_xml
from tests.unit.manifests.teams_schema import (
    LOCALIZATION_SCHEMA,
    MANIFEST_SCHEMA,
    png_size,
    schema_errors,
)

BOT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SSO = "9b2c7d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
ADDIN = "5d6f3c1a-8b2e-4f7a-9c0d-1e2f3a4b5c6d"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
PRODUCTION = {
    "SIGILL_MODE": "production",
    "SIGILL_PUBLIC_URL": "https://sigill.vasteras.example",
    "SIGILL_ENTRA_TENANTS": f'{{ "{TENANT}" = "vasteras.example" }}',
    "SIGILL_ENTRA_AUDIENCES": '["api://sigill"]',
    # A configured bot needs its tenant and a credential to start; the build itself never uses the secret.
    "SIGILL_TEAMS_TENANT_ID": TENANT,
    "SIGILL_TEAMS_BOT_CLIENT_SECRET": "not-a-real-secret",
}


def _sigill(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # Another directory than the repository, and no SIGILL_* from the caller: the command stands alone.
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SIGILL_")}
    return subprocess.run(
        [sys.executable, "-m", "sigill", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**clean, **(env or {})},
        check=False,
    )


def test_development_build_writes_a_valid_package_with_everything_at_its_root(tmp_path: Path) -> None:
    result = _sigill(tmp_path, "manifests", "build", "--out", "out/teams")
    assert result.returncode == 0, result.stderr
    package = tmp_path / "out" / "teams" / "teams-app.zip"
    assert result.stdout.splitlines() == [
        str(Path("out/teams/teams-app.zip")),
        str(Path("out/teams/outlook-manifest.xml")),
    ]
    placeholder_line, addin_line = result.stderr.splitlines()
    assert DEV_PLACEHOLDER_ID in placeholder_line and "development" in placeholder_line
    assert "[outlook] addin_id" in addin_line and "development" in addin_line
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["color.png", "en.json", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert schema_errors(manifest, MANIFEST_SCHEMA) == []
        assert schema_errors(json.loads(archive.read("en.json")), LOCALIZATION_SCHEMA) == []
        # Everything the manifest points to is in the package.
        referenced = {manifest["icons"]["color"], manifest["icons"]["outline"]} | {
            language["file"] for language in manifest["localizationInfo"]["additionalLanguages"]
        }
        assert referenced <= set(archive.namelist())
        assert png_size(archive.read(manifest["icons"]["color"])) == (192, 192)
        assert png_size(archive.read(manifest["icons"]["outline"])) == (32, 32)
    assert manifest["bots"][0]["botId"] == DEV_PLACEHOLDER_ID
    # One package: the bot, the tab and the Outlook add-in.
    assert [tab["entityId"] for tab in manifest["staticTabs"]] == ["meddelanden", "conversations"]
    assert [ribbon["contexts"] for ribbon in manifest["extensions"][0]["ribbons"]] == [
        ["mailCompose"],
        ["mailRead"],
    ]
    root = outlook_xml.parse(
        (tmp_path / "out" / "teams" / "outlook-manifest.xml").read_text(encoding="utf-8")
    )
    assert root.attrib[outlook_xml.XSI_TYPE] == "MailApp"


def test_production_build_takes_its_ids_and_host_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "sigill.toml").write_text(
        f'[teams]\nbot_app_id = "{BOT}"\nsso_app_id = "{SSO}"\norganisation_name = "Västerås stad"\n'
        f'[outlook]\naddin_id = "{ADDIN}"\n',
        encoding="utf-8",
    )
    result = _sigill(
        tmp_path, "manifests", "build", "--out", "pkg", "--config", "sigill.toml", env=PRODUCTION
    )
    assert (result.returncode, result.stderr) == (0, "")
    first = (tmp_path / "pkg" / "teams-app.zip").read_bytes()
    first_xml = (tmp_path / "pkg" / "outlook-manifest.xml").read_bytes()
    with zipfile.ZipFile(tmp_path / "pkg" / "teams-app.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert schema_errors(manifest, MANIFEST_SCHEMA) == []
    assert (manifest["id"], manifest["bots"][0]["botId"], manifest["webApplicationInfo"]["id"]) == (
        BOT,
        BOT,
        SSO,
    )
    assert manifest["validDomains"] == ["sigill.vasteras.example"]
    assert manifest["developer"]["name"] == "Västerås stad"
    # The same configuration gives the same package, byte for byte.
    again = _sigill(tmp_path, "manifests", "build", "--out", "pkg", "--config", "sigill.toml", env=PRODUCTION)
    assert again.returncode == 0
    assert (tmp_path / "pkg" / "teams-app.zip").read_bytes() == first
    assert (tmp_path / "pkg" / "outlook-manifest.xml").read_bytes() == first_xml
    root = outlook_xml.parse(first_xml.decode("utf-8"))
    assert root.findtext(f"{{{outlook_xml.APP}}}Id") == ADDIN
    assert root.findtext(f"{{{outlook_xml.APP}}}ProviderName") == "Västerås stad"
    assert all(
        url.startswith("https://sigill.vasteras.example/") or url == "https://sigill.vasteras.example"
        for url in outlook_xml.urls(root)
    )
    assert manifest["extensions"][0]["alternates"][0]["hide"] == {
        "customOfficeAddin": {"officeAddinId": ADDIN}
    }


def test_production_without_the_bot_id_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    result = _sigill(
        tmp_path, "manifests", "build", "--out", "pkg", env={**PRODUCTION, "SIGILL_TEAMS_SSO_APP_ID": SSO}
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "sigill: configuration error: teams.bot_app_id: production needs it to build the Teams app package (a GUID)"
    ]
    assert not (tmp_path / "pkg").exists()


def test_production_without_the_add_in_id_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    env = {**PRODUCTION, "SIGILL_TEAMS_BOT_APP_ID": BOT, "SIGILL_TEAMS_SSO_APP_ID": SSO}
    result = _sigill(tmp_path, "manifests", "build", "--out", "pkg", env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "sigill: configuration error: outlook.addin_id: production needs it to build the Outlook add-in manifest (a GUID)"
    ]
    assert not (tmp_path / "pkg").exists()


def test_a_bad_bot_id_is_one_line_naming_the_key(tmp_path: Path) -> None:
    result = _sigill(
        tmp_path, "manifests", "build", "--out", "pkg", env={"SIGILL_TEAMS_BOT_APP_ID": "my-bot"}
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "sigill: configuration error: teams.bot_app_id: give a GUID (8-4-4-4-12 hexadecimal digits), not 'my-bot'"
    ]
    assert not (tmp_path / "pkg").exists()


def test_the_out_folder_is_required_and_listed_in_help(tmp_path: Path) -> None:
    missing = _sigill(tmp_path, "manifests", "build")
    assert missing.returncode == 2
    assert "--out" in missing.stderr
    assert "manifests" in _sigill(tmp_path, "--help").stdout


def test_an_out_path_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    result = _sigill(tmp_path, "manifests", "build", "--out", "taken")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["sigill: cannot write the package to taken: File exists"]
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "not a folder"


def _web_addresses(document: Any) -> list[str]:
    if isinstance(document, dict):
        return [url for value in document.values() for url in _web_addresses(value)]
    if isinstance(document, list):
        return [url for item in document for url in _web_addresses(item)]
    return [document] if isinstance(document, str) and document.startswith("http") else []


async def test_the_server_serves_every_pane_tab_and_icon_the_manifests_name(tmp_path: Path) -> None:
    settings = server_settings("sqlite", tmp_path / "var", free_port())
    built = manifests.build(settings, tmp_path / "pkg")
    with zipfile.ZipFile(tmp_path / "pkg" / "teams-app.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    xml_root = outlook_xml.parse((tmp_path / "pkg" / "outlook-manifest.xml").read_text(encoding="utf-8"))
    named = set(_web_addresses(manifest)) | set(outlook_xml.urls(xml_root))
    # What Teams and Outlook load: the tab, the two panes and the icons (the developer pages are the organisation's).
    loaded = {url for url in named if "/app/" in url or "/icons/" in url}
    assert len(loaded) == 9, sorted(loaded)
    assert built.files[1].name == "outlook-manifest.xml"
    async with started(settings) as server:
        for url in sorted(loaded):
            async with server.session.get(url) as response:
                body = await response.read()
                assert response.status == 200, url
                if "/icons/" in url:
                    size = int(url.rsplit("-", 1)[1].removesuffix(".png"))
                    assert response.content_type == "image/png"
                    assert response.headers["Cache-Control"] == "public, max-age=86400"
                    assert png_size(body) == (size, size), url
                else:
                    assert response.content_type == "text/html", url
        # Only the drawn icons: nothing else under manifests/ (or beyond) is reachable through /icons/.
        for name in ("other.png", "..%2Fteams%2Fcolor.png", "..%2F..%2Fpyproject.toml"):
            async with server.session.get(f"{server.base}/icons/{name}") as response:
                assert response.status == 404, name
