"""Subjects, file names and the open message: what a reader would be fooled by is refused."""

from __future__ import annotations

import pytest

from messaging.errors import InvalidRequest
from messaging.ports import Limits
from messaging.validation import check_attachment_count, check_file_name, check_open_message, check_text


@pytest.mark.parametrize(
    "char",
    [
        "\x00",
        "\t",
        "\n",
        "\r",
        "\x1b",
        "\x7f",
        "\x85",
        "\x9f",
        *map(chr, range(0x202A, 0x202F)),
        *map(chr, range(0x2066, 0x206A)),
    ],
)
def test_controls_and_bidi_overrides_are_refused_in_subjects_and_file_names(char: str) -> None:
    with pytest.raises(InvalidRequest) as subject:
        check_text(f"Ämne{char}slut", "x", Limits())
    assert subject.value.code == "subject_invalid_characters"
    with pytest.raises(InvalidRequest) as name:
        check_file_name(f"intyg{char}.pdf")
    assert name.value.code == "attachment_name_invalid_characters"


def test_ordinary_text_passes() -> None:
    check_text("Återbesök – läkarintyg (ärende 12/2026) ✓ עברית", "rad ett\nrad två", Limits())
    check_file_name("Röntgen bild 2026-11-24 (1).pdf")


@pytest.mark.parametrize(
    "text",
    [
        "19121212-1212",
        "19121212 - 1212",
        "1912 12 12 - 12 12",
        "１９１２１２１２－１２１２",
        "１２１２１２－１２１２",
        "19121212\u2013\u200b1212",
        "1912\u00ad1212\u20091212",
        "121212\u00a0-\u00a01212",
    ],
)
def test_a_personal_number_is_found_however_it_is_spaced_or_written(text: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        check_open_message(f"Ärendet gäller {text}, hör av dig.", Limits())
    assert refused.value.code == "open_message_has_personal_number"


@pytest.mark.parametrize(
    "text",
    ["Ring 070-123 45 67.", "Mötet är 2026-11-24 kl. 10.", "Ordernummer 1234567890123.", "Rum 12, plan 12."],
)
def test_other_numbers_are_not_taken_for_personal_numbers(text: str) -> None:
    check_open_message(text, Limits())


def test_the_attachment_cap() -> None:
    limits = Limits()
    check_attachment_count(limits.max_attachments, limits)
    with pytest.raises(InvalidRequest) as refused:
        check_attachment_count(limits.max_attachments + 1, limits)
    assert refused.value.code == "too_many_attachments"
