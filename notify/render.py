"""Turning an outbox payload into the e-mail or SMS that goes out, from the Jinja2 templates.

The payloads are written by messaging/ when a message is sent:

    {"kind": "link", "to", "sender", "method", "open_message", "link", "message_id", "delivery_id", ...}
        an e-mail to a recipient outside Sigill: the open message and the personal link
    {"kind": "notice", "to", "sender", "mailbox_kind", "message_id", "delivery_id", ...}
        an e-mail to a registered recipient or staff: a message waits (never its content)
    {"kind": "sms", "to", "text"}
        an SMS, such as a one-time code
    {"kind": "invitation", "to", "name", "sender", "link", "expires_at"}
        an e-mail inviting someone to a recipient account (messaging/invitations.py): the link to take it up
    {"kind": "teams", "sender", "loa", "message_id",
     "notices": [{"user_id", "delivery_id", "mailbox_kind", "mailbox_name"}, ...]}
        Teams cards to staff users (every member of a function mailbox): who sent, the level, no content

`sender` is the name of the sending mailbox: a person's name for a personal
mailbox, the function's name (such as "Socialtjänsten") for a function mailbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notify.errors import BadPayload
from notify.mime import one_line
from notify.ports import Email, Sms, TeamsNotice, TeamsTarget

STOCKHOLM: Final = ZoneInfo("Europe/Stockholm")
SWEDISH_MONTHS: Final = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

HOW_TO_OPEN = {
    "email": "Du öppnar meddelandet direkt med länken.",
    "sms": "För att öppna meddelandet får du en engångskod i ett sms till ditt mobilnummer.",
    "eid": "För att öppna meddelandet identifierar du dig med BankID eller Freja eID.",
    "siths": "För att öppna meddelandet identifierar du dig med ditt SITHS-kort.",
}


def paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of its lines (the HTML part keeps the line breaks)."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    return env


class Renderer:
    def __init__(self, env: Environment | None = None) -> None:
        self._env = env or environment()

    def email(self, payload: Mapping[str, Any], org_name: str) -> Email:
        kind = payload.get("kind")
        if kind == "link":
            return self._link(payload, org_name)
        if kind == "notice":
            return self._notice(payload, org_name)
        if kind == "invitation":
            return self._invitation(payload, org_name)
        raise BadPayload(f"an e-mail payload of kind {kind!r} is not known")

    def sms(self, payload: Mapping[str, Any]) -> Sms:
        if payload.get("kind") != "sms":
            raise BadPayload(f"an SMS payload of kind {payload.get('kind')!r} is not known")
        return Sms(to=_text(payload, "to"), text=_text(payload, "text"), extras={"kind": "sms"})

    def teams(self, payload: Mapping[str, Any]) -> list[TeamsTarget]:
        """The people a Teams payload goes to, each with their notice; a part is "<delivery id>/<user id>"."""
        notices = payload.get("notices")
        if payload.get("kind") != "teams" or not isinstance(notices, list):
            raise BadPayload(f"a Teams payload of kind {payload.get('kind')!r} is not known")
        loa = payload.get("loa")
        if not isinstance(loa, int) or isinstance(loa, bool):
            raise BadPayload("the payload's 'loa' is not a level")
        sender, message_id = one_line(_text(payload, "sender")), _text(payload, "message_id")
        targets = []
        for entry in notices:
            if not isinstance(entry, dict):
                raise BadPayload("a Teams notice is not a JSON object")
            user_id, delivery_id = _text(entry, "user_id"), _text(entry, "delivery_id")
            notice = TeamsNotice(
                sender=sender,
                loa=loa,
                message_id=message_id,
                mailbox_kind=_text(entry, "mailbox_kind"),
                mailbox_name=one_line(_text(entry, "mailbox_name")),
            )
            targets.append(TeamsTarget(part=f"{delivery_id}/{user_id}", user_id=user_id, notice=notice))
        return targets

    def _link(self, payload: Mapping[str, Any], org_name: str) -> Email:
        method = str(payload.get("method") or "email")
        values = {
            "org_name": org_name,
            "sender": one_line(_text(payload, "sender")),
            "open_message": _text(payload, "open_message").strip(),
            "link": _text(payload, "link"),
            "how_to_open": HOW_TO_OPEN.get(method, HOW_TO_OPEN["email"]),
            "subject": f"Säkert meddelande från {org_name}",
        }
        return self._email(payload, "link", values)

    def _notice(self, payload: Mapping[str, Any], org_name: str) -> Email:
        to = _text(payload, "to")
        where = f"funktionsbrevlådan {to}" if payload.get("mailbox_kind") == "function" else "dig"
        sender = one_line(_text(payload, "sender"))
        values = {
            "org_name": org_name,
            "sender": sender,
            "where": where,
            # Notices written before they carried a link still go out, without one.
            "link": str(payload.get("link") or ""),
            "subject": f"Nytt säkert meddelande från {sender}",
        }
        return self._email(payload, "notice", values)

    def _invitation(self, payload: Mapping[str, Any], org_name: str) -> Email:
        try:
            expires = datetime.fromisoformat(_text(payload, "expires_at")).astimezone(STOCKHOLM)
        except ValueError:
            raise BadPayload("the payload's 'expires_at' is not a time") from None
        values = {
            "org_name": org_name,
            "name": one_line(_text(payload, "name")),
            "sender": one_line(_text(payload, "sender")),
            "link": _text(payload, "link"),
            "expires": f"{expires.day} {SWEDISH_MONTHS[expires.month - 1]} {expires.year} kl. {expires:%H.%M}",
            "subject": f"Inbjudan till säkra meddelanden från {org_name}",
        }
        return self._email(payload, "invitation", values)

    def _email(self, payload: Mapping[str, Any], kind: str, values: dict[str, str]) -> Email:
        message_id = payload.get("message_id")
        extras = {"kind": kind}
        for name in ("link", "delivery_id"):
            if payload.get(name):
                extras[name] = str(payload[name])
        return Email(
            to=_text(payload, "to"),
            subject=values["subject"],
            text=self._env.get_template(f"{kind}.txt").render(values),
            html=self._env.get_template(f"{kind}.html").render(values),
            from_name=values["org_name"],
            message_id=str(message_id) if message_id else None,
            extras=extras,
        )


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or (name in ("to", "link", "text") and not value):
        raise BadPayload(f"the payload's {name!r} is missing or not text")
    return value
