"""Every golden card: valid Adaptive Card 1.5, within Teams' limits, labelled, carrying only opaque data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from adaptive_cards import verbs
from adaptive_cards.golden import all_cards
from tests.unit.adaptive_cards.cardtools import (
    ROOT,
    action_lists,
    actions,
    inputs,
    nodes,
    schema_errors,
    verb_and_data,
)

CARDS = all_cards()
GOLDEN_DIR = Path(__file__).parent / "golden"


def test_the_golden_set_covers_every_card_and_state() -> None:
    names = set(CARDS)
    expected = {
        "welcome", "welcome-mailboxes", "refusal", "compose-empty", "compose-errors", "compose-long-hostile",
        "compose-worst-case", "inbox-empty", "inbox-page", "sent-statuses", "links-page", "mailbox-inbox",
        "mailbox-empty-closed", "message", "message-locked", "message-long", "message-long-full",
        "message-worst-case", "details-unopened", "details-opened", "details-answered", "details-recalled",
        "recall-confirm", "case-free", "case-taken-by-other", "case-taken-by-me", "case-delete-confirm",
    }  # fmt: skip
    assert expected <= names
    assert {f"{name}-en" for name in expected} <= names


def test_the_schema_check_rejects_a_broken_card() -> None:
    """The validation below means something: a misspelt property and a missing text both fail."""
    assert schema_errors(
        {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "txt": "x"}]}
    )
    assert schema_errors({"type": "AdaptiveCard", "version": "1.5", "msteams": {"width": "Full"}, "body": []})


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_is_valid_adaptive_card_1_5(name: str) -> None:
    card = CARDS[name]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert schema_errors(card) == []


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_stays_within_teams_limits(name: str) -> None:
    card = CARDS[name]
    assert len(json.dumps(card, ensure_ascii=False).encode()) < 40 * 1024
    assert all(len(listed) <= 6 for listed in action_lists(card))


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_input_has_a_label_and_every_action_a_title(name: str) -> None:
    card = CARDS[name]
    assert all(element.get("label") for element in inputs(card).values())
    assert all(item.get("title") for item in actions(card))
    images = [node for node in nodes(card) if node.get("type") == "Image"]
    assert all(image.get("altText") for image in images)


@pytest.mark.parametrize("name", sorted(CARDS))
def test_action_data_carries_a_known_verb_and_only_opaque_keys(name: str) -> None:
    card = CARDS[name]
    refresh = [card["refresh"]["action"]] if "refresh" in card else []
    for item in [*actions(card), *refresh]:
        if item["type"] == "Action.OpenUrl":
            assert item["url"].startswith("https://")
            continue
        verb, data = verb_and_data(item)
        assert verb in verbs.ALL
        assert set(data) <= verbs.DATA_KEYS
        assert all(isinstance(value, str) for key, value in data.items() if key != "msteams")


@pytest.mark.parametrize("name", sorted(CARDS))
def test_swedish_card_says_lang_sv_and_english_card_lang_en(name: str) -> None:
    assert CARDS[name]["lang"] == ("en" if name.endswith("-en") else "sv")


def test_generator_command_writes_every_card(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adaptive_cards.golden", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{len(CARDS)} cards written" in result.stdout
    written = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in tmp_path.glob("*.json")}
    assert written == CARDS


def test_checked_in_golden_files_are_current() -> None:
    """tests/unit/adaptive_cards/golden/ is what a browser test renders: it must match the builders."""
    on_disk: dict[str, Any] = {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in GOLDEN_DIR.glob("*.json")
    }
    assert on_disk == CARDS, (
        "regenerate with: python -m adaptive_cards.golden --out tests/unit/adaptive_cards/golden"
    )
