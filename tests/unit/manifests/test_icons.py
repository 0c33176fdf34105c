"""The icons: Teams' 192×192 colour and 32×32 outline PNGs (the outline white on transparent, as Teams requires),
and the Outlook add-in's 16, 32 and 80 pixel button icons with its 64 and 128 pixel list icons.
"""

from __future__ import annotations

import pytest

from sigill import manifest_icons, manifests
from tests.unit.manifests.teams_schema import png_pixels, png_size


def _committed(name: str) -> bytes:
    return (manifests.TEAMS_DIR / name).read_bytes()


def test_the_icons_have_the_sizes_teams_requires() -> None:
    assert png_size(_committed("color.png")) == (192, 192)
    assert png_size(_committed("outline.png")) == (32, 32)


def test_the_outline_icon_is_white_on_transparent() -> None:
    pixels = [pixel for row in png_pixels(_committed("outline.png")) for pixel in row]
    assert all(pixel[:3] == (255, 255, 255) for pixel in pixels)
    alphas = {pixel[3] for pixel in pixels}
    assert 0 in alphas and 255 in alphas
    assert png_pixels(_committed("outline.png"))[0][0][3] == 0


def test_the_colour_icon_is_opaque_with_the_mark_on_the_brand_colour() -> None:
    pixels = png_pixels(_committed("color.png"))
    assert all(pixel[3] == 255 for row in pixels for pixel in row)
    assert pixels[0][0] == (*manifest_icons.BRAND_RGB, 255)
    assert (255, 255, 255, 255) in pixels[96]


def test_the_committed_icons_are_what_the_drawing_code_makes() -> None:
    # Compared as pixels, not bytes: another zlib may compress the same pixels differently.
    assert png_pixels(manifest_icons.color_icon()) == png_pixels(_committed("color.png"))
    assert png_pixels(manifest_icons.outline_icon()) == png_pixels(_committed("outline.png"))


@pytest.mark.parametrize("size", [16, 32, 64, 80, 128])
def test_the_add_in_icons_have_their_sizes_and_are_what_the_drawing_code_makes(size: int) -> None:
    committed = (manifests.ICONS_DIR / f"sigill-{size}.png").read_bytes()
    assert png_size(committed) == (size, size)
    assert png_pixels(committed) == png_pixels(manifest_icons.addin_icon(size))


def test_an_add_in_icon_is_the_mark_on_a_brand_disc_transparent_outside_it() -> None:
    pixels = png_pixels((manifests.ICONS_DIR / "sigill-80.png").read_bytes())
    # The corners are outside the disc; the ring near the top edge is white; inside the ring is the brand colour.
    assert {pixels[0][0][3], pixels[0][79][3], pixels[79][0][3], pixels[79][79][3]} == {0}
    assert pixels[6][40] == (255, 255, 255, 255)
    assert pixels[13][40] == (*manifest_icons.BRAND_RGB, 255)
