"""The Outlook add-in's XML manifest: well formed, the right namespaces, every resource defined, every URL ours."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import defusedxml
import pytest

from sigill import config, manifests
from tests.unit.manifests.outlook_xml import (
    APP,
    BT,
    OVERRIDES_1_0,
    OVERRIDES_1_1,
    XSI_TYPE,
    command_button,
    english,
    local,
    namespace,
    overrides,
    parse,
    references,
    resolve,
    resources,
    urls,
)

ADDIN = "5d6f3c1a-8b2e-4f7a-9c0d-1e2f3a4b5c6d"
BOT = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SSO = "9b2c7d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
HOST = "sigill.vasteras.example"
PRODUCTION: dict[str, Any] = {
    "mode": "production",
    "public_url": f"https://{HOST}",
    "entra": {"tenants": {TENANT: "vasteras.example"}, "audiences": ["api://sigill"]},
    "teams": {
        "bot_app_id": BOT,
        "sso_app_id": SSO,
        "tenant_id": TENANT,
        "bot_client_secret": "not-a-real-secret",
        "organisation_name": "Västerås stad",
        "version": "2.3.0",
    },
    "outlook": {"addin_id": ADDIN},
}
# The order the MailApp schema (appforoffice 1.1) requires of OfficeApp's children; Outlook refuses another.
MAIL_APP_ORDER = [
    "Id",
    "Version",
    "ProviderName",
    "DefaultLocale",
    "DisplayName",
    "Description",
    "IconUrl",
    "HighResolutionIconUrl",
    "SupportUrl",
    "AppDomains",
    "Hosts",
    "Requirements",
    "FormSettings",
    "Permissions",
    "Rule",
    "DisableEntityHighlighting",
    "VersionOverrides",
]


def _xml_text(tmp_path: Path, **overrides: Any) -> str:
    built = manifests.build(config.load(environ={}, overrides=overrides), tmp_path)
    [path] = [path for path in built.files if path.name == "outlook-manifest.xml"]
    return path.read_text(encoding="utf-8")


def _built(tmp_path: Path, **overrides: Any) -> Element:
    return parse(_xml_text(tmp_path, **overrides))


def _text(root: Element, name: str) -> str:
    element = root.find(f"{{{APP}}}{name}")
    assert element is not None, name
    return element.text or ""


def test_the_manifest_is_a_well_formed_mail_app_in_the_office_namespaces(tmp_path: Path) -> None:
    text = _xml_text(tmp_path, **PRODUCTION)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = parse(text)
    assert root.tag == f"{{{APP}}}OfficeApp"
    assert root.attrib[XSI_TYPE] == "MailApp"
    # Every element is in one of the four add-in namespaces (the bt: prefix is declared on the root).
    assert {namespace(element.tag) for element in root.iter()} == {APP, BT, OVERRIDES_1_0, OVERRIDES_1_1}
    assert 'xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"' in text
    outer, inner = overrides(root)
    assert outer.attrib[XSI_TYPE] == "VersionOverridesV1_0"
    assert inner.attrib[XSI_TYPE] == "VersionOverridesV1_1"
    assert [local(child.tag) for child in root] == MAIL_APP_ORDER
    assert [local(child.tag) for child in inner] == [
        "Requirements",
        "Hosts",
        "Resources",
        "WebApplicationInfo",
    ]
    assert "${{" not in text


def test_identity_version_and_provider_come_from_the_configuration(tmp_path: Path) -> None:
    root = _built(tmp_path, **PRODUCTION)
    assert _text(root, "Id") == ADDIN
    assert _text(root, "Version") == "2.3.0.0"
    assert _text(root, "ProviderName") == "Västerås stad"
    assert _text(root, "DefaultLocale") == "sv-SE"


def test_it_runs_in_outlook_on_messages_being_read_or_written_with_read_write_item(tmp_path: Path) -> None:
    root = _built(tmp_path, **PRODUCTION)
    [host] = root.iterfind(f"{{{APP}}}Hosts/{{{APP}}}Host")
    assert host.attrib == {"Name": "Mailbox"}
    [mailbox] = root.iterfind(f"{{{APP}}}Requirements/{{{APP}}}Sets/{{{APP}}}Set")
    assert mailbox.attrib == {"Name": "Mailbox", "MinVersion": "1.1"}
    assert _text(root, "Permissions") == "ReadWriteItem"
    rules = root.find(f"{{{APP}}}Rule")
    assert rules is not None and rules.attrib[XSI_TYPE] == "RuleCollection" and rules.attrib["Mode"] == "Or"
    assert sorted((rule.attrib["ItemType"], rule.attrib["FormType"]) for rule in rules) == [
        ("Message", "Edit"),
        ("Message", "Read"),
    ]
    forms = {
        form.attrib[XSI_TYPE]: form.find(f"{{{APP}}}DesktopSettings/{{{APP}}}SourceLocation")
        for form in root.iterfind(f"{{{APP}}}FormSettings/{{{APP}}}Form")
    }
    assert {
        kind: element.attrib["DefaultValue"] for kind, element in forms.items() if element is not None
    } == {
        "ItemRead": f"https://{HOST}/app/outlook/read.html",
        "ItemEdit": f"https://{HOST}/app/outlook/compose.html",
    }


def test_version_overrides_1_1_asks_for_mailbox_1_8(tmp_path: Path) -> None:
    # getAttachmentContentAsync (the draft's files) and getAllInternetHeadersAsync (X-Sigill-Message) are 1.8.
    _, inner = overrides(_built(tmp_path, **PRODUCTION))
    sets = inner.find(f"{{{OVERRIDES_1_1}}}Requirements/{{{BT}}}Sets")
    assert sets is not None and sets.attrib["DefaultMinVersion"] == "1.8"
    assert [element.attrib["Name"] for element in sets] == ["Mailbox"]


@pytest.mark.parametrize(
    ("surface", "swedish", "english_label", "page"),
    [
        (
            "MessageComposeCommandSurface",
            "Kryptera meddelande",
            "Encrypt message",
            "/app/outlook/compose.html",
        ),
        ("MessageReadCommandSurface", "Öppna meddelande", "Open message", "/app/outlook/read.html"),
    ],
)
def test_each_command_surface_has_its_button_opening_its_task_pane(
    tmp_path: Path, surface: str, swedish: str, english_label: str, page: str
) -> None:
    _, inner = overrides(_built(tmp_path, **PRODUCTION))
    button = command_button(inner, surface)
    label = resolve(inner, button.find(f"{{{OVERRIDES_1_1}}}Label"))
    assert (label.attrib["DefaultValue"], english(label)) == (swedish, english_label)
    action = button.find(f"{{{OVERRIDES_1_1}}}Action")
    assert action is not None and action.attrib[XSI_TYPE] == "ShowTaskpane"
    source = resolve(inner, action.find(f"{{{OVERRIDES_1_1}}}SourceLocation"))
    assert source.attrib["DefaultValue"] == f"https://{HOST}{page}"
    icons = button.findall(f"{{{OVERRIDES_1_1}}}Icon/{{{BT}}}Image")
    assert {icon.attrib["size"]: resolve(inner, icon).attrib["DefaultValue"] for icon in icons} == {
        size: f"https://{HOST}/icons/sigill-{size}.png" for size in ("16", "32", "80")
    }
    tooltip = resolve(inner, button.find(f"{{{OVERRIDES_1_1}}}Supertip/{{{OVERRIDES_1_1}}}Description"))
    assert tooltip.attrib["DefaultValue"] and english(tooltip)


def test_every_referenced_resource_is_defined_in_its_list_and_every_defined_one_is_used(
    tmp_path: Path,
) -> None:
    _, inner = overrides(_built(tmp_path, **PRODUCTION))
    defined = resources(inner)
    assert set(defined) == {"Images", "Urls", "ShortStrings", "LongStrings"}
    referenced = references(inner)
    missing = [(kind, resid) for kind, resid in referenced if resid not in defined[kind]]
    assert missing == []
    unused = {(kind, resid) for kind, entries in defined.items() for resid in entries} - set(referenced)
    assert unused == set()
    # Office's limits: ids of at most 32 characters, short strings 125, long strings 250.
    assert all(len(resid) <= 32 for entries in defined.values() for resid in entries)
    for kind, limit in (("ShortStrings", 125), ("LongStrings", 250)):
        for entry in defined[kind].values():
            assert 0 < len(entry.attrib["DefaultValue"]) <= limit
            assert 0 < len(english(entry)) <= limit


def test_swedish_is_the_default_and_every_string_a_user_sees_has_an_english_override(tmp_path: Path) -> None:
    root = _built(tmp_path, **PRODUCTION)
    display = root.find(f"{{{APP}}}DisplayName")
    description = root.find(f"{{{APP}}}Description")
    assert display is not None and description is not None
    assert english(display) == "Sigill"
    assert "Outlook" in description.attrib["DefaultValue"] and "level of assurance" in english(description)
    _, inner = overrides(root)
    strings = resources(inner)
    for entry in [*strings["ShortStrings"].values(), *strings["LongStrings"].values()]:
        assert english(entry), entry.attrib["id"]


def test_every_url_is_https_on_the_configured_host(tmp_path: Path) -> None:
    found = urls(_built(tmp_path, **PRODUCTION))
    assert len(found) >= 10
    for url in found:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("https", HOST), url


def test_development_urls_are_on_the_development_server(tmp_path: Path) -> None:
    for url in urls(_built(tmp_path)):
        assert url.startswith("http://127.0.0.1:8080"), url


def test_single_sign_on_names_the_api_app_registration(tmp_path: Path) -> None:
    _, inner = overrides(_built(tmp_path, **PRODUCTION))
    info = inner.find(f"{{{OVERRIDES_1_1}}}WebApplicationInfo")
    assert info is not None
    assert [local(child.tag) for child in info] == ["Id", "Resource", "Scopes"]
    assert info.findtext(f"{{{OVERRIDES_1_1}}}Id") == SSO
    assert info.findtext(f"{{{OVERRIDES_1_1}}}Resource") == f"api://{HOST}/{SSO}"
    scopes = [scope.text for scope in info.iterfind(f"{{{OVERRIDES_1_1}}}Scopes/{{{OVERRIDES_1_1}}}Scope")]
    assert scopes == ["openid", "profile"]


def test_configuration_values_are_inserted_as_text_not_as_markup(tmp_path: Path) -> None:
    name = 'K&K "A" <B> ${{ADDIN_ID}}'
    root = _built(tmp_path, teams={"organisation_name": name})
    assert _text(root, "ProviderName") == name


def test_the_manifest_cannot_carry_a_document_type_or_entities() -> None:
    # What the tests parse with: a DTD (the door to external entities) is refused, not resolved.
    hostile = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(defusedxml.DefusedXmlException):
        parse(hostile)


def test_development_derives_a_stable_add_in_id_from_the_public_url(tmp_path: Path) -> None:
    first = _text(_built(tmp_path / "a"), "Id")
    assert _text(_built(tmp_path / "b"), "Id") == first
    assert str(uuid.UUID(first)) == first
    other = _text(_built(tmp_path / "c", public_url="http://localhost:9000"), "Id")
    assert other != first
    assert _text(_built(tmp_path / "d", outlook={"addin_id": ADDIN}), "Id") == ADDIN


def test_production_without_an_add_in_id_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    settings = config.load(environ={}, overrides={**PRODUCTION, "outlook": {}})
    with pytest.raises(config.ConfigError) as raised:
        manifests.build(settings, tmp_path / "out")
    assert str(raised.value) == (
        "outlook.addin_id: production needs it to build the Outlook add-in manifest (a GUID)"
    )
    assert not (tmp_path / "out").exists()


def test_a_bad_add_in_id_is_one_line_naming_the_key() -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.load(environ={}, overrides={"outlook": {"addin_id": "sigill"}})
    assert str(raised.value).startswith("outlook.addin_id: give a GUID")
    assert "\n" not in str(raised.value)
