"""Reading the Outlook add-in's XML manifest as Outlook does: namespaces, resource ids and the URLs it names.

Parsed with defusedxml, which refuses DTDs and entity declarations, so a manifest can hold no external entity.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeTree

APP = "http://schemas.microsoft.com/office/appforoffice/1.1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
BT = "http://schemas.microsoft.com/office/officeappbasictypes/1.0"
OVERRIDES_1_0 = "http://schemas.microsoft.com/office/mailappversionoverrides"
OVERRIDES_1_1 = "http://schemas.microsoft.com/office/mailappversionoverrides/1.1"
XSI_TYPE = f"{{{XSI}}}type"

# Which Resources list a reference must be defined in, by the referring element's local name.
RESOURCE_KINDS = {
    "Image": "Images",
    "SourceLocation": "Urls",
    "Label": "ShortStrings",
    "Title": "ShortStrings",
}
# A Supertip's Description is long text; the add-in's own Description (a LongResourceReference) likewise.
LONG_REFERENCES = {"Description"}


def parse(text: str) -> Element:
    root: Element = SafeTree.fromstring(text.encode("utf-8"), forbid_dtd=True)
    return root


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def overrides(root: Element) -> tuple[Element, Element]:
    """VersionOverrides 1.0 and the VersionOverrides 1.1 inside it."""
    outer = root.find(f"{{{OVERRIDES_1_0}}}VersionOverrides")
    assert outer is not None, "no VersionOverrides 1.0"
    inner = outer.find(f"{{{OVERRIDES_1_1}}}VersionOverrides")
    assert inner is not None, "no VersionOverrides 1.1 inside 1.0"
    return outer, inner


def resources(inner: Element) -> dict[str, dict[str, Element]]:
    """Resource kind (Images, Urls, ShortStrings, LongStrings) -> id -> its element."""
    found = inner.find(f"{{{OVERRIDES_1_1}}}Resources")
    assert found is not None
    return {local(kind.tag): {entry.attrib["id"]: entry for entry in kind} for kind in found}


def references(inner: Element) -> list[tuple[str, str]]:
    """(kind it must be defined in, resid) for every element outside Resources that refers to a resource."""
    found = []
    for element in inner.iter():
        if "resid" not in element.attrib:
            continue
        name = local(element.tag)
        kind = "LongStrings" if name in LONG_REFERENCES else RESOURCE_KINDS[name]
        found.append((kind, element.attrib["resid"]))
    return found


def resolve(inner: Element, element: Element | None) -> Element:
    """The resource a referring element names (its `resid`), from the Resources of VersionOverrides 1.1."""
    assert element is not None
    resid = element.attrib["resid"]
    for entries in resources(inner).values():
        if resid in entries:
            return entries[resid]
    raise AssertionError(f"resid {resid!r} is not defined")


def english(entry: Element) -> str:
    """The en-US override of a string resource or locale-aware setting."""
    [override] = [child for child in entry if local(child.tag) == "Override"]
    assert override.attrib["Locale"] == "en-US"
    return override.attrib["Value"]


def urls(root: Element) -> list[str]:
    """Every URL in the manifest: DefaultValue and Override values that are addresses, and AppDomain texts."""
    found = []
    for element in root.iter():
        for key in ("DefaultValue", "Value"):
            value = element.attrib.get(key, "")
            if "://" in value:
                found.append(value)
        if local(element.tag) == "AppDomain":
            found.append(element.text or "")
    return found


def command_button(inner: Element, surface: str) -> Element:
    """The one button on an extension point (MessageComposeCommandSurface, MessageReadCommandSurface)."""
    points = [
        point
        for point in inner.iter(f"{{{OVERRIDES_1_1}}}ExtensionPoint")
        if point.attrib[XSI_TYPE] == surface
    ]
    assert len(points) == 1, f"expected one {surface}"
    buttons = [
        control
        for control in points[0].iter(f"{{{OVERRIDES_1_1}}}Control")
        if control.attrib[XSI_TYPE] == "Button"
    ]
    assert len(buttons) == 1
    return buttons[0]
