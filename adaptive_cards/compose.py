"""The compose card: Steg 1 (recipients, subject, body, files) and Steg 2 (level, reply, identification).

The card comes back with the user's own input after every action: values are kept as typed (inputs'
`value`), and each error sits right under its field as well as in the input's `errorMessage`. Input
values are not markdown, so they are passed unescaped; every label and placeholder is ours, except the
recipient's address inside a label, which Teams shows as plain text.
"""

from __future__ import annotations

from typing import Any, Final

from adaptive_cards import verbs
from adaptive_cards.elements import (
    CardTooLarge,
    Element,
    card,
    cut,
    dialog,
    error_text,
    execute,
    heading,
    text_block,
    user_text,
)
from adaptive_cards.strings import Locale, text
from adaptive_cards.views import ComposeRecipient, ComposeView
from messaging.policy import LEVELS, METHODS, method_reaches
from store.records import IdentificationMethod

# What a card can carry of a body and still stay under 40 KB with 25 recipients' inputs (longer
# messages are written in the portal). Swedish letters take two bytes each in the card; when the other
# fields are full, the body kept on the card shrinks step by step until the card fits.
BODY_MAX_CHARS: Final = 6000
_BODY_FALLBACKS: Final = (BODY_MAX_CHARS, 2000, 500)
RECIPIENTS_MAX_CHARS: Final = 2000
SUBJECT_MAX_CHARS: Final = 255
OPEN_MESSAGE_MAX_CHARS: Final = 1000
# An address as much as a label shows of it (an address may be 254 characters; 25 of them repeat in labels).
LABEL_ADDRESS_CHARS: Final = 40
# The data each identification method needs besides the address.
_NEEDS: Final[dict[IdentificationMethod, str]] = {"sms": "phone", "eid": "personal_number"}


def compose_card(view: ComposeView, locale: Locale) -> Element:
    for body_chars in _BODY_FALLBACKS[:-1]:
        try:
            return _compose_card(view, locale, body_chars)
        except CardTooLarge:
            continue
    return _compose_card(view, locale, _BODY_FALLBACKS[-1])


def _compose_card(view: ComposeView, locale: Locale, body_chars: int) -> Element:
    errors = view.errors
    body: list[Element] = [heading(text(locale, "compose.title"))]
    if "form" in errors:
        body.append(error_text(errors["form"]))
    body += [text_block(text(locale, "compose.step1"), isSubtle=True)]
    body += _field(
        _input(
            "recipients",
            text(locale, "compose.recipients"),
            cut(view.recipients_text, RECIPIENTS_MAX_CHARS)[0],
        ),
        errors,
        placeholder=text(locale, "compose.recipients.placeholder"),
        maxLength=RECIPIENTS_MAX_CHARS,
    )
    body += _field(
        _input("subject", text(locale, "compose.subject"), view.subject),
        errors,
        maxLength=SUBJECT_MAX_CHARS,
    )
    kept_body, cut_body = cut(view.body, body_chars)
    body += _field(
        _input("body", text(locale, "compose.body"), kept_body),
        errors,
        isMultiline=True,
        maxLength=BODY_MAX_CHARS,
    )
    if cut_body:
        body.append(error_text(text(locale, "compose.body_cut")))
    body += _attachments(view, locale)
    body += [text_block(text(locale, "compose.step2"), isSubtle=True, separator=True)]
    body += _level(view, locale)
    body.append(
        {"type": "Input.Toggle", "id": "reply_allowed", "title": text(locale, "compose.reply"),
         "label": text(locale, "compose.reply.label"), "value": "true" if view.reply_allowed else "false",
         "valueOn": "true", "valueOff": "false"}
    )  # fmt: skip
    for index, recipient in enumerate(view.recipients):
        if not recipient.registered:
            body += _link_recipient(index, recipient, view.loa, errors, locale)
    body += _open_message(view, locale)
    actions = [
        execute(text(locale, "compose.send"), verbs.COMPOSE_SEND, style="positive", draft=view.draft_id),
        execute(text(locale, "compose.update"), verbs.COMPOSE_REFRESH, draft=view.draft_id),
        dialog(text(locale, "compose.add_files"), verbs.COMPOSE_FILES, draft=view.draft_id),
    ]
    return card(body, locale, actions=actions)


def _input(field_id: str, label: str, value: str) -> Element:
    # No `isRequired`: Teams would then refuse every button of the card (Uppdatera val, Lägg till filer) until all
    # fields are filled. What is missing is said on Skicka, by the server, under its field.
    return {"type": "Input.Text", "id": field_id, "label": label, "value": value}


def _field(element: Element, errors: dict[str, str], **props: Any) -> list[Element]:
    """An input and, when it has one, its error right under it (the typed value stays)."""
    element = element | props
    message = errors.get(element["id"])
    if message is None:
        return [element]
    return [element | {"errorMessage": message}, error_text(message)]


def _attachments(view: ComposeView, locale: Locale) -> list[Element]:
    if not view.attachment_names:
        return []
    return [text_block(text(locale, "compose.files"), weight="Bolder")] + [
        user_text(f"📎 {cut(name, LABEL_ADDRESS_CHARS)[0]}", spacing="None") for name in view.attachment_names
    ]


def _level(view: ComposeView, locale: Locale) -> list[Element]:
    choices = [{"title": text(locale, f"compose.loa.{level}"), "value": str(level)} for level in LEVELS]
    choice_set: Element = {
        "type": "Input.ChoiceSet", "id": "loa", "label": text(locale, "compose.loa"), "style": "expanded",
        "choices": choices,
    }  # fmt: skip
    if view.loa in LEVELS:
        choice_set["value"] = str(view.loa)
    explained = [
        text_block(text(locale, f"compose.loa.{level}.help"), size="Small", spacing="Small")
        for level in LEVELS
    ]
    return [*_field(choice_set, view.errors), *explained]


def _link_recipient(
    index: int, recipient: ComposeRecipient, loa: int | None, errors: dict[str, str], locale: Locale
) -> list[Element]:
    """The identification method (only those reaching the chosen level) and the data it needs."""
    address = cut(recipient.address, LABEL_ADDRESS_CHARS)[0]
    allowed = [method for method in METHODS if loa is None or method_reaches(method, loa)]
    method_input: Element = {
        "type": "Input.ChoiceSet", "id": f"method_{index}", "style": "compact", "separator": True,
        "label": text(locale, "compose.method", address=address),
        "choices": [{"title": text(locale, f"method.{method}"), "value": method} for method in allowed],
    }  # fmt: skip
    # Before the sender chooses, the lowest method that reaches the level is preselected, so the one field
    # it needs is already there; "Uppdatera val" shows the field of another choice.
    method = recipient.method if recipient.method in allowed else allowed[0]
    method_input["value"] = method
    items = _field(method_input, errors)
    if (kind := _NEEDS.get(method)) is not None:
        value = recipient.phone if kind == "phone" else recipient.personal_number
        field = _input(f"{kind}_{index}", text(locale, f"compose.{kind}", address=address), value)
        items += _field(field, errors, placeholder=text(locale, f"compose.{kind}.placeholder"), maxLength=40)
    return items


def _open_message(view: ComposeView, locale: Locale) -> list[Element]:
    open_input: Element = {
        "type": "Input.Text", "id": "open_message", "label": text(locale, "compose.open_message"),
        "isMultiline": True, "maxLength": OPEN_MESSAGE_MAX_CHARS, "value": view.open_message,
        "placeholder": view.default_open_message[:OPEN_MESSAGE_MAX_CHARS],
    }  # fmt: skip
    warning = text_block(text(locale, "compose.open_message.warning"), color="Warning", size="Small")
    return [{**warning, "separator": True}, *_field(open_input, view.errors)]
