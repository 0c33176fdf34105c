"""How the bot answers: a card that replaces the pressed one, a dialog, or a card sent into the chat.

Action.Execute (invoke `adaptiveCard/action`) answers in the HTTP response of the invoke with an
AdaptiveCardInvokeResponse: Teams replaces the card with it. A dialog (invoke `task/fetch` or `task/submit`)
answers with a TaskModuleResponse-shaped dict. A message turn (typed text, install) sends a new activity through
the Bot Connector (the activity's serviceUrl).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    ContentTypes,
    InvokeResponse,
)
from microsoft_agents.hosting.core import CardFactory, MessageFactory, TurnContext

from adaptive_cards.elements import Element

# Teams' limits (40 KB, six actions per set) are checked once, where every card is made (adaptive_cards.elements.card).

ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def card_response(card: Element) -> AdaptiveCardInvokeResponse:
    """The answer to an Action.Execute: the card that replaces the pressed one."""
    return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=ContentTypes.adaptive_card, value=card)


def dialog_response(
    card: Element, title: str, *, width: str = "large", height: str = "large"
) -> dict[str, Any]:
    """The answer to task/fetch (or a task/submit that shows another card): a dialog holding `card`."""
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": title,
                "width": width,
                "height": height,
                "card": {"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": card},
            },
        }
    }


def url_dialog_response(
    url: str, title: str, *, width: str = "medium", height: str = "medium"
) -> dict[str, Any]:
    """The answer to task/fetch that opens a web page of `sigill serve` in a dialog (the file dialog)."""
    return {
        "task": {
            "type": "continue",
            "value": {"title": title, "url": url, "fallbackUrl": url, "width": width, "height": height},
        }
    }


def close_dialog() -> dict[str, Any]:
    """The answer to task/submit that closes the dialog (Tillbaka): an empty 200."""
    return {}


async def reply_card(turn_context: TurnContext, card: Element) -> None:
    """Send `card` into the conversation of a message or conversationUpdate turn."""
    await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))


async def send_invoke_body(turn_context: TurnContext, body: Any) -> None:
    """Answer an invoke directly (for a turn no route answers, such as a refused one)."""
    if isinstance(body, AdaptiveCardInvokeResponse):
        body = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    await turn_context.send_activity(
        Activity(
            type=ActivityTypes.invoke_response, value=InvokeResponse(status=int(HTTPStatus.OK), body=body)
        )
    )


async def answer_card(turn_context: TurnContext, card: Element, *, dialog_title: str = "Sigill") -> None:
    """Answer a turn no route answered with `card`, in the form the turn expects: the card that replaces the
    pressed one (Action.Execute), a dialog (task/fetch, task/submit), or a message in the chat."""
    activity = turn_context.activity
    if activity.type != ActivityTypes.invoke:
        await reply_card(turn_context, card)
    elif activity.name in ("task/fetch", "task/submit"):
        await send_invoke_body(turn_context, dialog_response(card, dialog_title))
    else:
        await send_invoke_body(turn_context, card_response(card))
