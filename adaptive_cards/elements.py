"""The building blocks every card is made of: escaped text, actions, action sets and the card itself.

Text in a TextBlock (and a FactSet value) is read as Adaptive Card markdown: `**bold**`, `_italic_`,
`[link](url)`, lists. A subject such as `[Klicka här](javascript:...)` must show as typed and never become a
link, so every value from users goes through `plain()`, which backslash-escapes the markdown characters
(CommonMark escapes, which Teams and the JavaScript renderer both honour). Input values, placeholders and
action titles are not markdown and are passed as they are. `card()` checks the limits Teams sets: a card
under 40 KB and at most 6 actions in one action set (`action_sets()` splits longer lists).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from adaptive_cards import verbs

Element = dict[str, Any]

VERSION: Final = "1.5"
MAX_CARD_BYTES: Final = 40 * 1024
MAX_ACTIONS_PER_SET: Final = 6
# The time zone every time on a card is shown in.
STOCKHOLM: Final = ZoneInfo("Europe/Stockholm")

# Markdown characters escaped anywhere, and the line starts that make a list or a heading.
_INLINE: Final = re.compile(r"([\\`*_\[\]()~#<>|!{}])")
# A line starting "-", "+" or "=" can make a list, a rule or a heading; "12." or "12)" a numbered list.
_LINE_MARK: Final = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_NUMBERED: Final = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


class CardTooLarge(ValueError):
    """A card would exceed Teams' limits; the builder must cut more (a programming error, not user input)."""


def plain(value: str) -> str:
    """User text as a markdown-neutral string: it reads as typed and never becomes a link, a list or bold."""
    escaped = _INLINE.sub(r"\\\1", value)
    escaped = _LINE_MARK.sub(r"\1\\\2", escaped)
    return _NUMBERED.sub(r"\1\\\2", escaped)


def cut(value: str, limit: int) -> tuple[str, bool]:
    """At most `limit` characters, ended with an ellipsis when cut; and whether it was."""
    if len(value) <= limit:
        return value, False
    return value[: max(limit - 1, 0)].rstrip() + "…", True


def when(moment: datetime) -> str:
    """A time as people in Sweden read it, in Stockholm time (naive times are UTC, as the store keeps them)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def text_block(value: str, **props: Any) -> Element:
    """A TextBlock of text the card itself writes (already safe); wraps by default."""
    return {"type": "TextBlock", "text": value, "wrap": True, **props}


def user_text(value: str, **props: Any) -> Element:
    """A TextBlock of user data, escaped."""
    return text_block(plain(value), **props)


def heading(value: str) -> Element:
    return text_block(value, size="Large", weight="Bolder", style="heading")


def error_text(message: str) -> Element:
    """The validation message shown right under its field."""
    return text_block(message, color="Attention", spacing="None", size="Small")


def container(items: Sequence[Element], **props: Any) -> Element:
    return {"type": "Container", "items": list(items), **props}


def facts(pairs: Iterable[tuple[str, str]]) -> Element:
    """A FactSet of (our title, user value): values are escaped."""
    return {"type": "FactSet", "facts": [{"title": title, "value": plain(value)} for title, value in pairs]}


def _data(verb: str, data: dict[str, str | None]) -> dict[str, Any]:
    unknown = set(data) - verbs.DATA_KEYS
    if verb not in verbs.ALL or unknown:
        raise ValueError(f"unknown verb {verb!r} or data keys {sorted(unknown)}")
    return {key: value for key, value in data.items() if value is not None}


def execute(title: str, verb: str, style: str | None = None, **data: str | None) -> Element:
    """An Action.Execute: the bot answers it by replacing the card."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb, "data": _data(verb, data)}
    if style:
        action["style"] = style
    return action


def submit(title: str, verb: str, **data: str | None) -> Element:
    """An Action.Submit, for dialogs, where Teams answers a submit (task/submit) rather than an Execute."""
    return {"type": "Action.Submit", "title": title, "data": {"verb": verb, **_data(verb, data)}}


def dialog(title: str, verb: str, **data: str | None) -> Element:
    """An Action.Submit that opens a Teams dialog (task module): Teams sends task/fetch with this data."""
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {"msteams": {"type": "task/fetch"}, "verb": verb, **_data(verb, data)},
    }


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def action_sets(actions: Sequence[Element]) -> list[Element]:
    """As many ActionSets as it takes to keep each to Teams' six actions."""
    return [
        {"type": "ActionSet", "actions": list(actions[start : start + MAX_ACTIONS_PER_SET])}
        for start in range(0, len(actions), MAX_ACTIONS_PER_SET)
    ]


def card(
    body: Sequence[Element],
    locale: str,
    *,
    actions: Sequence[Element] = (),
    refresh: Element | None = None,
    refresh_user_ids: Sequence[str] = (),
) -> Element:
    """The finished card. Its bottom actions become action sets in the body when there are more than six.

    `refresh` (an Action.Execute) makes Teams fetch a fresh card when someone views it; with
    `refresh_user_ids` (Teams user MRIs, at most 60) only those users refresh automatically, as Teams
    requires for a card shared in a conversation.
    """
    content: Element = {"type": "AdaptiveCard", "version": VERSION, "lang": locale, "body": list(body)}
    if len(actions) > MAX_ACTIONS_PER_SET:
        content["body"].extend(action_sets(actions))
    elif actions:
        content["actions"] = list(actions)
    if refresh is not None:
        content["refresh"] = {"action": refresh}
        if refresh_user_ids:
            content["refresh"]["userIds"] = list(refresh_user_ids)[:60]
    check_limits(content)
    return content


def to_json(content: Element) -> str:
    """The card as JSON that is also safe inside an HTML <script> element (`<`, `>` and `&` escaped)."""
    encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def size_of(content: Element) -> int:
    """The card's bytes as UTF-8 JSON, with the spaces of Python's default separators (erring large)."""
    return len(json.dumps(content, ensure_ascii=False).encode())


def action_set_sizes(content: Any) -> list[int]:
    """The number of actions of every action list in the card (card actions, ActionSets, ShowCards)."""
    sizes: list[int] = []
    if isinstance(content, dict):
        if isinstance(content.get("actions"), list):
            sizes.append(len(content["actions"]))
        for value in content.values():
            sizes.extend(action_set_sizes(value))
    elif isinstance(content, list):
        for value in content:
            sizes.extend(action_set_sizes(value))
    return sizes


def check_limits(content: Element) -> None:
    if (size := size_of(content)) >= MAX_CARD_BYTES:
        raise CardTooLarge(f"card is {size} bytes")
    if any(count > MAX_ACTIONS_PER_SET for count in action_set_sizes(content)):
        raise CardTooLarge("more than 6 actions in one action set")
