"""What the compose screens ask before sending: `POST /recipients/lookup` and `GET /levels` under /api/v1.

The lookup says, per address, whether the recipient is inside Sigill (a mailbox of the caller's organisation) and
otherwise which identification methods reach the level, with what each needs (messaging/lookup.py decides). The
levels are the three levels of assurance with the user guide's one-line explanation, the methods' names, and the
open message's default text and warning (messaging/levels.py words them), in Swedish or English.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from addin_backend.error_map import RequestRefused
from messaging import levels, lookup
from messaging.levels import Language
from messaging.model import Actor
from messaging.policy import LEVELS, ContactNeed
from messaging.ports import Deps, Limits
from store.records import IdentificationMethod, MailboxKind

LOOKUP_PATH = "/recipients/lookup"
LEVELS_PATH = "/levels"
# The cap of a lookup is the cap of a message's recipients: a compose screen looks up what it will send.
_LIMITS = Limits()


class LookupIn(BaseModel):
    # Strict as every body of the API: `"loa": "2"` or `"addresses": "a@b.se"` is refused, not coerced.
    model_config = ConfigDict(extra="forbid", strict=True)
    addresses: list[Annotated[str, Field(max_length=254)]] = Field(
        description="E-mail addresses to look up; at least one, at most [limits] max_recipients "
        "(the document states the configured cap)",
        json_schema_extra={"minItems": 1, "maxItems": _LIMITS.max_recipients},
    )
    loa: int = Field(
        description="The level of assurance the message will ask for: 1, 2 or 3",
        json_schema_extra={"enum": list[JsonValue](LEVELS)},
    )


class MethodOut(BaseModel):
    method: IdentificationMethod
    loa: int = Field(description="The level this method reaches")
    needs: ContactNeed | None = Field(
        description="What the sender must give for it: the mobile number, the personal identity number, or nothing"
    )
    default: bool = Field(description="Used when the sender names no method")


class RecipientOut(BaseModel):
    address: str = Field(description="The address in canonical form")
    registered: bool = Field(
        description="A mailbox of your organisation (staff, function mailbox or recipient account): the message "
        "is delivered inside Sigill. Otherwise the recipient gets a link and identifies by one of `methods`"
    )
    name: str | None = Field(description="The mailbox's name, for a registered recipient")
    mailbox_kind: MailboxKind | None = Field(description="personal or function, for a registered recipient")
    methods: list[MethodOut] = Field(description="For a link recipient: the methods that reach the level")


class LookupOut(BaseModel):
    loa: int
    recipients: list[RecipientOut] = Field(description="One per address asked, in the same order")


class LevelOut(BaseModel):
    loa: int
    name: str
    description: str = Field(description="The user guide's one-line explanation")
    methods: list[MethodOut] = Field(description="How a link recipient can identify at this level")


class OpenMessageOut(BaseModel):
    default_text: str = Field(description="What a link recipient gets when the open message is left empty")
    warning: str = Field(
        description="The open message is not encrypted: what the compose screen says about it"
    )


class LevelsOut(BaseModel):
    language: Language
    levels: list[LevelOut]
    method_names: dict[str, str] = Field(description="What each identification method is called")
    open_message: OpenMessageOut


def add_routes(
    router: web.UrlDispatcher,
    *,
    actor: Callable[[web.Request], Actor],
    deps: Callable[[web.Request], Deps],
    parse: Callable[[type[LookupIn], bytes], LookupIn],
) -> None:
    """Mount the routes; the API passes how it finds the actor and the services, and how it parses bodies."""

    async def look_up(request: web.Request) -> web.Response:
        data = parse(LookupIn, await request.read())
        found = await lookup.describe_recipients(deps(request), actor(request), data.addresses, data.loa)
        body = LookupOut(loa=data.loa, recipients=[_recipient(r) for r in found])
        return _json(body.model_dump())

    async def level_texts(request: web.Request) -> web.Response:
        language = request_language(request)
        default_text = await lookup.default_open_message(deps(request), actor(request))
        response = _json(levels_out(language, default_text).model_dump())
        response.headers["Content-Language"] = language
        response.headers["Vary"] = "Accept-Language"
        return response

    router.add_post(LOOKUP_PATH, look_up)
    router.add_get(LEVELS_PATH, level_texts)


def _recipient(found: lookup.RecipientDescription) -> RecipientOut:
    return RecipientOut(
        address=found.address,
        registered=found.registered,
        name=found.name,
        mailbox_kind=found.mailbox_kind,
        methods=[_method(m) for m in found.methods],
    )


def _method(option: lookup.MethodOption) -> MethodOut:
    return MethodOut(method=option.method, loa=option.loa, needs=option.needs, default=option.default)


def levels_out(language: Language, default_text: str) -> LevelsOut:
    return LevelsOut(
        language=language,
        levels=[
            LevelOut(
                loa=level,
                name=levels.in_language(levels.LEVEL_NAMES[level], language),
                description=levels.in_language(levels.LEVEL_HELP[level], language),
                methods=[_method(m) for m in lookup.method_options(level)],
            )
            for level in LEVELS
        ],
        method_names={m: levels.in_language(label, language) for m, label in levels.METHOD_LABELS.items()},
        open_message=OpenMessageOut(
            default_text=default_text, warning=levels.in_language(levels.OPEN_MESSAGE_WARNING, language)
        ),
    )


# One entry of Accept-Language: a language range and an optional weight (RFC 9110, section 12.5.4).
_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([01](?:\.\d{0,3})?))?\s*$"
)


def request_language(request: web.Request) -> Language:
    """`?lang=sv|en` if given (anything else is refused), else the best of Accept-Language, else Swedish."""
    asked = request.rel_url.query.get("lang")
    if asked is not None:
        language = levels.as_language(asked)
        if language is None:
            raise RequestRefused(
                422, "lang_invalid", "Språket måste vara sv eller en.", "lang must be one of sv, en"
            )
        return language
    return preferred_language(request.headers.get("Accept-Language", ""))


def preferred_language(header: str) -> Language:
    """The supported language the header weighs highest (the first listed on a tie); Swedish if none is wanted."""
    best: tuple[float, Language] | None = None
    for entry in header.split(",")[:32]:
        match = _RANGE.match(entry)
        if match is None:
            continue
        language = levels.as_language(match.group(1).split("-")[0].lower())
        weight = float(match.group(2)) if match.group(2) is not None else 1.0
        if language is not None and weight > 0 and (best is None or weight > best[0]):
            best = (weight, language)
    return best[1] if best is not None else "sv"


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))
