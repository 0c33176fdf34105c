"""The app packages administrators install: `sigill manifests build --out DIR`.

`manifests/teams/` holds the Teams app manifest as a template (Swedish strings, `${{NAME}}` placeholders for
per-deployment values), its English localization file and the icons. The placeholders are filled in the parsed
JSON, value by value, so nothing from the configuration can change the document's structure. Production needs
every id from `[teams]`; development fills in fixed placeholder ids so a package always builds.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sigill.config import ConfigError, Settings

MANIFESTS_DIR = Path(__file__).resolve().parents[1] / "manifests"
TEAMS_DIR = MANIFESTS_DIR / "teams"
TEAMS_PACKAGE = "teams-app.zip"
# Files copied as they are into the package's root, beside the generated manifest.json.
TEAMS_STATIC_FILES = ("en.json", "color.png", "outline.png")

# Development only: a fixed GUID that is visibly not a real registration ("de7e" = dev).
DEV_PLACEHOLDER_ID = "00000000-0000-4000-8000-00000000de7e"

_PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
# A zip entry's time; fixed so the same configuration always gives the same package bytes.
_ENTRY_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Built:
    """What a build wrote, and whether it carries development placeholder ids."""

    files: tuple[Path, ...]
    placeholders: bool


def build(settings: Settings, out_dir: Path) -> Built:
    """Write the app package(s) into out_dir; ConfigError (one line naming the key) when a value is missing."""
    values, placeholders = teams_values(settings)
    manifest = fill(json.loads((TEAMS_DIR / "manifest.json").read_text(encoding="utf-8")), values)
    out_dir.mkdir(parents=True, exist_ok=True)
    package = out_dir / TEAMS_PACKAGE
    _write_zip(package, manifest)
    return Built(files=(package,), placeholders=placeholders)


def teams_values(settings: Settings) -> tuple[dict[str, str], bool]:
    """The template's values from [teams] and public_url, and whether development placeholders stand in."""
    teams = settings.teams
    production = settings.mode == "production"
    ids = {"bot_app_id": teams.bot_app_id, "sso_app_id": teams.sso_app_id}
    for key, value in ids.items():
        if production and not value:
            raise ConfigError(f"teams.{key}: production needs it to build the Teams app package (a GUID)")
    bot_app_id = teams.bot_app_id or DEV_PLACEHOLDER_ID
    sso_app_id = teams.sso_app_id or DEV_PLACEHOLDER_ID
    base = settings.base_url
    domain = public_domain(base)
    values = {
        "VERSION": teams.version,
        "APP_ID": teams.app_id or bot_app_id,
        "BOT_APP_ID": bot_app_id,
        "SSO_APP_ID": sso_app_id,
        "SSO_RESOURCE": teams.sso_resource or f"api://{domain}/{sso_app_id}",
        "PUBLIC_DOMAIN": domain,
        "ORGANISATION_NAME": teams.organisation_name,
        "WEBSITE_URL": teams.website_url or f"{base}/",
        "PRIVACY_URL": teams.privacy_url or f"{base}/privacy",
        "TERMS_URL": teams.terms_url or f"{base}/terms",
        "ACCENT_COLOR": teams.accent_color,
    }
    for key in ("website_url", "privacy_url", "terms_url"):
        url = values[key.upper()]
        if not url.startswith("https://" if production else ("https://", "http://")):
            raise ConfigError(f"teams.{key}: give an {'https' if production else 'http(s)'}:// address")
    return values, not (teams.bot_app_id and teams.sso_app_id)


def public_domain(base_url: str) -> str:
    """The host (and a port other than the scheme's own) that Teams may load content from."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host


def fill(template: Any, values: dict[str, str]) -> Any:
    """The template with every `${{NAME}}` in its strings replaced; a name without a value is a bug here."""
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, str):
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
    return template


def _write_zip(package: Path, manifest: Any) -> None:
    # Written beside the target first, so a failed build never leaves half a package where the old one was.
    partial = package.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
        for name in TEAMS_STATIC_FILES:
            _add(archive, name, (TEAMS_DIR / name).read_bytes())
    partial.replace(package)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    entry = zipfile.ZipInfo(name, date_time=_ENTRY_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(entry, data)
