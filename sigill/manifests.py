"""The app packages administrators install: `sigill manifests build --out DIR`.

Two files, from templates in manifests/ and the configuration:
- `teams-app.zip`: the Teams / Microsoft 365 app package. Its manifest (manifests/teams/manifest.json) declares the
  bot, the personal tab "Meddelanden" and the Outlook add-in (`extensions`, the unified manifest), so one upload
  installs all three; beside it the English localization file and the icons.
- `outlook-manifest.xml`: the same add-in as an XML add-in manifest (manifests/outlook/manifest.xml), for
  organisations that deploy Outlook add-ins that way.

Templates carry Swedish strings and `${{NAME}}` placeholders for per-deployment values. The JSON is filled in the
parsed document, value by value; the XML is filled as text with every value escaped as XML character data. Either
way nothing from the configuration can change a document's structure. Production needs every id from `[teams]`
and `[outlook]`; development fills in a fixed placeholder id and a derived add-in id so the packages always build.
"""

from __future__ import annotations

import html
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sigill.config import ConfigError, Settings
from sigill.manifest_icons import ADDIN_SIZES, addin_icon_name

MANIFESTS_DIR = Path(__file__).resolve().parents[1] / "manifests"
TEAMS_DIR = MANIFESTS_DIR / "teams"
OUTLOOK_DIR = MANIFESTS_DIR / "outlook"
# The add-in's button and list icons; served at ICONS_PATH because both add-in manifests name them by URL.
ICONS_DIR = MANIFESTS_DIR / "icons"
TEAMS_PACKAGE = "teams-app.zip"
OUTLOOK_MANIFEST = "outlook-manifest.xml"
# Files copied as they are into the package's root, beside the generated manifest.json.
TEAMS_STATIC_FILES = ("en.json", "color.png", "outline.png")

# Where the staff web app (addin_backend/webapp/) serves each host, and where the add-in icons are served.
BROWSER_PATH = "/app/"
TEAMS_TAB_PATH = "/app/teams/"
OUTLOOK_COMPOSE_PATH = "/app/outlook/compose.html"
OUTLOOK_READ_PATH = "/app/outlook/read.html"
ICONS_PATH = "/icons/"

# Development only: a fixed GUID that is visibly not a real registration ("de7e" = dev).
DEV_PLACEHOLDER_ID = "00000000-0000-4000-8000-00000000de7e"

_PLACEHOLDER = re.compile(r"\$\{\{([A-Z][A-Z0-9_]*)\}\}")
# A zip entry's time; fixed so the same configuration always gives the same package bytes.
_ENTRY_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Built:
    """What a build wrote, and one line for each development stand-in it used (empty in production)."""

    files: tuple[Path, ...]
    notes: tuple[str, ...]


def build(settings: Settings, out_dir: Path) -> Built:
    """Write both packages into out_dir; ConfigError (one line naming the key) when a value is missing.

    Everything is filled before anything is written, so a configuration error leaves out_dir untouched.
    """
    values, placeholders = teams_values(settings)
    addin, derived = addin_values(settings)
    values |= addin
    manifest = fill(json.loads((TEAMS_DIR / "manifest.json").read_text(encoding="utf-8")), values)
    outlook = fill_xml((OUTLOOK_DIR / "manifest.xml").read_text(encoding="utf-8"), values)
    out_dir.mkdir(parents=True, exist_ok=True)
    package = out_dir / TEAMS_PACKAGE
    _write_zip(package, manifest)
    xml_path = out_dir / OUTLOOK_MANIFEST
    _write_file(xml_path, outlook.encode("utf-8"))
    notes = []
    if placeholders:
        notes.append(f"development package: unset [teams] ids are the placeholder {DEV_PLACEHOLDER_ID}")
    if derived:
        notes.append(
            f"development add-in: unset [outlook] addin_id is {addin['ADDIN_ID']}, derived from public_url"
        )
    return Built(files=(package, xml_path), notes=tuple(notes))


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
        # Development without an SSO registration names a placeholder resource, as it names placeholder ids.
        "SSO_RESOURCE": settings.sso_resource or f"api://{domain}/{sso_app_id}",
        "PUBLIC_DOMAIN": domain,
        "ORGANISATION_NAME": teams.organisation_name,
        "WEBSITE_URL": teams.website_url or f"{base}/",
        "PRIVACY_URL": teams.privacy_url or f"{base}/privacy",
        "TERMS_URL": teams.terms_url or f"{base}/terms",
        "ACCENT_COLOR": teams.accent_color,
        "APP_URL": base + BROWSER_PATH,
        "TAB_URL": base + TEAMS_TAB_PATH,
        "COMPOSE_URL": base + OUTLOOK_COMPOSE_PATH,
        "READ_URL": base + OUTLOOK_READ_PATH,
        **{f"ICON_{size}_URL": f"{base}{ICONS_PATH}{addin_icon_name(size)}" for size in ADDIN_SIZES},
    }
    for key in ("website_url", "privacy_url", "terms_url"):
        url = values[key.upper()]
        if not url.startswith("https://" if production else ("https://", "http://")):
            raise ConfigError(f"teams.{key}: give an {'https' if production else 'http(s)'}:// address")
    return values, not (teams.bot_app_id and teams.sso_app_id)


def addin_values(settings: Settings) -> tuple[dict[str, str], bool]:
    """The Outlook add-in's own values ([outlook], the version), and whether its id was derived (development)."""
    addin_id = settings.outlook.addin_id
    if not addin_id and settings.mode == "production":
        raise ConfigError(
            "outlook.addin_id: production needs it to build the Outlook add-in manifest (a GUID)"
        )
    parts = urlsplit(settings.base_url)
    values = {
        # Stable for one address, so rebuilding never turns the add-in into a new one for its users.
        "ADDIN_ID": addin_id or str(uuid.uuid5(uuid.NAMESPACE_URL, settings.base_url + "/outlook-addin")),
        # Office wants four parts; the Teams package's three, so one number says which release both are.
        "ADDIN_VERSION": settings.teams.version + ".0",
        "PUBLIC_ORIGIN": f"{parts.scheme}://{parts.netloc}",
    }
    return values, not addin_id


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


def fill_xml(template: str, values: dict[str, str]) -> str:
    """The XML template with every `${{NAME}}` replaced by its value escaped (&, <, >, quotes): text, never markup."""
    return _PLACEHOLDER.sub(lambda match: html.escape(values[match.group(1)], quote=True), template)


def _write_file(path: Path, data: bytes) -> None:
    # Beside the target first, as the package: a failed build never leaves half a file where the old one was.
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


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
