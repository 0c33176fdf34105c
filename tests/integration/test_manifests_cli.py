"""`sigill manifests build --out DIR`: the Teams app package an administrator uploads, run as the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from sigill.manifests import DEV_PLACEHOLDER_ID
from tests.unit.manifests.teams_schema import (
    LOCALIZATION_SCHEMA,
    MANIFEST_SCHEMA,
    png_size,
    schema_errors,
)

BOT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SSO = "9b2c7d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
PRODUCTION = {
    "SIGILL_MODE": "production",
    "SIGILL_PUBLIC_URL": "https://sigill.vasteras.example",
    "SIGILL_ENTRA_TENANTS": '{ "72f988bf-86f1-41af-91ab-2d7cd011db47" = "vasteras.example" }',
    "SIGILL_ENTRA_AUDIENCES": '["api://sigill"]',
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
    assert result.stdout.strip() == str(Path("out/teams/teams-app.zip"))
    assert DEV_PLACEHOLDER_ID in result.stderr and "development" in result.stderr
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


def test_production_build_takes_its_ids_and_host_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "sigill.toml").write_text(
        f'[teams]\nbot_app_id = "{BOT}"\nsso_app_id = "{SSO}"\norganisation_name = "Västerås stad"\n',
        encoding="utf-8",
    )
    result = _sigill(
        tmp_path, "manifests", "build", "--out", "pkg", "--config", "sigill.toml", env=PRODUCTION
    )
    assert (result.returncode, result.stderr) == (0, "")
    first = (tmp_path / "pkg" / "teams-app.zip").read_bytes()
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


def test_production_without_the_bot_id_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    result = _sigill(
        tmp_path, "manifests", "build", "--out", "pkg", env={**PRODUCTION, "SIGILL_TEAMS_SSO_APP_ID": SSO}
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "sigill: configuration error: teams.bot_app_id: production needs it to build the Teams app package (a GUID)"
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
