"""The app icons: a padlock in a seal ring, drawn here and kept as PNG files in manifests/.

Teams wants a full-colour icon of 192×192 pixels and an outline icon of 32×32 pixels that is white on a
transparent background (manifests/teams/). The Outlook add-in's buttons want 16, 32 and 80 pixels, and the add-in
lists 64 and 128 (manifests/icons/, served at /icons/ because both add-in manifests name them by URL). All are
drawn from the same shapes with 4×4 supersampling, so the edges are smooth without an imaging library.
`python -m sigill.manifest_icons` rewrites the files after a change here.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

COLOR_SIZE = 192
OUTLINE_SIZE = 32
# Ribbon buttons (16, 32, 80) and the add-in's entry in Outlook's lists (64, 128).
ADDIN_SIZES = (16, 32, 64, 80, 128)
# The colour icon's background; the same colour is the manifest's default `accentColor`.
BRAND_RGB = (0x1F, 0x4E, 0x79)
_SAMPLES = 4

Shape = Callable[[float, float], bool]


def _ring(cx: float, cy: float, outer: float, inner: float) -> Shape:
    return lambda x, y: inner**2 <= (x - cx) ** 2 + (y - cy) ** 2 <= outer**2


def _seal(x: float, y: float) -> bool:
    """Whether the point (0..1 on both axes, y downwards) is inside the white mark."""
    ring = _ring(0.5, 0.5, 0.44, 0.38)
    shackle = _ring(0.5, 0.47, 0.13, 0.085)
    in_body = 0.33 <= x <= 0.67 and 0.47 <= y <= 0.72
    keyhole = math.hypot(x - 0.5, y - 0.56) <= 0.035 or (0.485 <= x <= 0.515 and 0.56 <= y <= 0.65)
    return ring(x, y) or (shackle(x, y) and y <= 0.47) or (in_body and not keyhole)


def _coverage(size: int, shape: Shape) -> list[list[float]]:
    """The share of each pixel that the shape covers, from evenly spread samples inside the pixel."""
    step = 1 / (size * _SAMPLES)
    rows = []
    for row in range(size):
        cells = []
        for col in range(size):
            hits = sum(
                shape((col * _SAMPLES + i + 0.5) * step, (row * _SAMPLES + j + 0.5) * step)
                for i in range(_SAMPLES)
                for j in range(_SAMPLES)
            )
            cells.append(hits / _SAMPLES**2)
        rows.append(cells)
    return rows


def color_icon() -> bytes:
    """192×192, opaque: the white mark on the brand colour."""
    pixels = [
        [(*(round(c + (255 - c) * share) for c in BRAND_RGB), 255) for share in row]
        for row in _coverage(COLOR_SIZE, _seal)
    ]
    return encode_png(pixels)


def outline_icon() -> bytes:
    """32×32: white everywhere, the mark's coverage as alpha, so everything else is transparent."""
    pixels = [
        [(255, 255, 255, round(255 * share)) for share in row] for row in _coverage(OUTLINE_SIZE, _seal)
    ]
    return encode_png(pixels)


def addin_icon_name(size: int) -> str:
    return f"sigill-{size}.png"


def addin_icon(size: int) -> bytes:
    """The white mark on a brand-coloured disc, transparent outside it: it reads on light and dark ribbons."""
    disc = _coverage(size, lambda x, y: math.hypot(x - 0.5, y - 0.5) <= 0.5)
    mark = _coverage(size, _seal)
    pixels = [
        [
            (*(round(c + (255 - c) * inside) for c in BRAND_RGB), round(255 * covered))
            for covered, inside in zip(disc_row, mark_row, strict=True)
        ]
        for disc_row, mark_row in zip(disc, mark, strict=True)
    ]
    return encode_png(pixels)


def encode_png(pixels: Sequence[Sequence[tuple[int, ...]]]) -> bytes:
    """An 8-bit RGBA PNG of the rows of (r, g, b, a) pixels; every row unfiltered (filter type 0)."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_icons(manifests_dir: Path) -> None:
    teams = manifests_dir / "teams"
    (teams / "color.png").write_bytes(color_icon())
    (teams / "outline.png").write_bytes(outline_icon())
    icons = manifests_dir / "icons"
    icons.mkdir(exist_ok=True)
    for size in ADDIN_SIZES:
        (icons / addin_icon_name(size)).write_bytes(addin_icon(size))


if __name__ == "__main__":
    write_icons(Path(__file__).resolve().parents[1] / "manifests")
