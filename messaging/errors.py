"""Errors of the messaging layer; faces map them to responses.

    MessagingError                 (code: a stable machine-readable string; message_sv: for people)
    ├── InvalidRequest             a rule of the request fails (REST: 422)
    ├── PayloadTooLarge            an attachment or the message exceeds a limit (413)
    ├── Forbidden                  the actor may see the thing but not do this (403)
    ├── NotFound                   absent, or not the actor's to see (404): the two are never told apart
    └── Conflict                   the thing is not in a state that allows this (409)

Messages never carry message content, personal numbers, phone numbers or codes.
"""

from __future__ import annotations


class MessagingError(Exception):
    status = 400

    def __init__(self, code: str, message_sv: str, detail: str = "", **extra: str) -> None:
        super().__init__(code)
        self.code = code
        self.message_sv = message_sv
        self.detail = detail or message_sv
        self.extra = extra


class InvalidRequest(MessagingError):
    status = 422


class PayloadTooLarge(MessagingError):
    status = 413


class Forbidden(MessagingError):
    status = 403


class NotFound(MessagingError):
    status = 404

    def __init__(self, what: str = "message") -> None:
        texts = {
            "message": "Meddelandet finns inte eller är inte ditt att se.",
            "mailbox": "Brevlådan finns inte eller är inte din att se.",
            "case": "Ärendet finns inte eller är inte ditt att se.",
            "attachment": "Bilagan finns inte eller är inte din att se.",
            "delivery": "Mottagaren finns inte på meddelandet.",
        }
        super().__init__(f"{what}_not_found", texts.get(what, "Hittades inte."))


class Conflict(MessagingError):
    status = 409


class StepUpRequired(MessagingError):
    """The actor received the message but signed in below its level; they must sign in again, higher.

    Only a registered recipient of the message learns this; everyone else gets NotFound.
    """

    status = 401

    def __init__(self, required_loa: int) -> None:
        super().__init__(
            "step_up_required",
            "Meddelandet kräver en högre säkerhetsnivå. Logga in igen med starkare identifiering.",
        )
        self.required_loa = required_loa
