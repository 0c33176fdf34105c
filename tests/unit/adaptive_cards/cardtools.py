"""Reading produced cards the way a client does: the schema, the limits, the elements and the actions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tests.shared_schemas import schemas_dir

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_PATH = schemas_dir() / "adaptive-card-1.5.json"
ACTION_TYPES = {
    "Action.Execute",
    "Action.Submit",
    "Action.OpenUrl",
    "Action.ShowCard",
    "Action.ToggleVisibility",
}
INPUT_TYPES = {"Input.Text", "Input.ChoiceSet", "Input.Toggle", "Input.Number", "Input.Date", "Input.Time"}


@cache
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(card: dict[str, Any]) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message[:300]}" for error in validator().iter_errors(card)]


def nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every object of the card, depth first."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from nodes(child)


def of_type(card: dict[str, Any], *types: str) -> list[dict[str, Any]]:
    return [node for node in nodes(card) if node.get("type") in types]


def texts(card: dict[str, Any]) -> list[str]:
    return [node["text"] for node in of_type(card, "TextBlock")]


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The actions a user can press (the refresh action is Teams' own, not a button)."""
    return of_type({key: value for key, value in card.items() if key != "refresh"}, *ACTION_TYPES)


def action(card: dict[str, Any], title: str) -> dict[str, Any]:
    found = [item for item in actions(card) if item.get("title") == title]
    assert len(found) == 1, (
        f"{len(found)} actions titled {title!r}: {[a.get('title') for a in actions(card)]}"
    )
    return found[0]


def titles(card: dict[str, Any]) -> list[str]:
    return [item["title"] for item in actions(card) if "title" in item]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in of_type(card, *INPUT_TYPES)}


def action_lists(card: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [node["actions"] for node in nodes(card) if isinstance(node.get("actions"), list)]


def verb_and_data(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """What the bot receives: an Execute's verb and data, or a Submit's data (its verb inside)."""
    if item["type"] == "Action.Execute":
        return item["verb"], item["data"]
    data = dict(item["data"])
    return data.pop("verb"), data


def following(card: dict[str, Any], input_id: str) -> dict[str, Any] | None:
    """The element right after the input with `input_id`, in whichever list holds it."""
    for node in nodes(card):
        for key in ("body", "items"):
            elements = node.get(key)
            if isinstance(elements, list):
                for index, element in enumerate(elements):
                    if isinstance(element, dict) and element.get("id") == input_id:
                        return elements[index + 1] if index + 1 < len(elements) else None
    raise AssertionError(f"no input {input_id}")
