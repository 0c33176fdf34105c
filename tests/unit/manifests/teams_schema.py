"""The official Teams v1.27 schemas (../shared/schemas/teams-v1.27, never copied), and a reader for PNG files."""

from __future__ import annotations

import json
import struct
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

from tests.shared_schemas import schemas_dir

REPO_ROOT = Path(__file__).resolve().parents[3]
SCHEMA_DIR = schemas_dir() / "teams-v1.27"
# The address manifests name in "$schema"; references to it resolve to the local files.
PUBLIC_BASE = "https://developer.microsoft.com/json-schemas/teams/v1.27/"
MANIFEST_SCHEMA = "MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = "MicrosoftTeams.Localization.schema.json"


def _no_network(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)


@cache
def _registry() -> Registry[Any]:
    resources = [
        (PUBLIC_BASE + path.name, DRAFT4.create_resource(json.loads(path.read_text(encoding="utf-8"))))
        for path in sorted(SCHEMA_DIR.glob("*.schema.json"))
    ]
    return Registry(retrieve=_no_network).with_resources(resources)


def validator(name: str) -> Draft4Validator:
    schema = _registry().contents(PUBLIC_BASE + name)
    return Draft4Validator(schema, registry=_registry(), format_checker=Draft4Validator.FORMAT_CHECKER)


def schema_errors(document: Any, name: str) -> list[str]:
    """Every way the document breaks the schema, as readable lines (empty: valid)."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator(name).iter_errors(document)
    ]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG signature and IHDR chunk, as Teams reads them."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_pixels(data: bytes) -> list[list[tuple[int, int, int, int]]]:
    """The RGBA pixels of an 8-bit RGBA PNG whose rows are unfiltered (how sigill.manifest_icons writes them)."""
    width, height = png_size(data)
    bit_depth, colour_type = data[24], data[25]
    assert (bit_depth, colour_type) == (8, 6), "expected 8-bit RGBA"
    idat, offset = b"", 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        crc = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    assert len(raw) == stride * height
    rows = []
    for y in range(height):
        row = raw[y * stride : (y + 1) * stride]
        assert row[0] == 0, "expected unfiltered rows"
        rows.append([(row[1 + 4 * x], row[2 + 4 * x], row[3 + 4 * x], row[4 + 4 * x]) for x in range(width)])
    return rows
