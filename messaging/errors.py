"""Errors of the messaging layer; each face maps them to its own answer (the REST API in addin_backend/error_map.py).

    MessagingError                 (code: a stable machine-readable string; message_sv: for people)
    ├── InvalidRequest             a rule of the request fails
    ├── PayloadTooLarge            an attachment or the message exceeds a size limit
    ├── Forbidden                  the actor may see the thing but not do this
    ├── NotFound                   absent, or not the actor's to see: the two are never told apart
    ├── Conflict                   the thing is not in a state that allows this
    ├── StepUpRequired             a registered recipient signed in below the message's level
    ├── SignInRefused              a valid token, but no staff user may be made of it
    ├── LinkUnavailable            a link that is unknown, recalled or expired (which one is never told)
    ├── IdentificationFailed       a link recipient identified as someone other than the delivery's person
    └── AccountSignInFailed        a recipient account's sign-in did not succeed (messaging/account_signin.py)
        ├── CredentialsRefused     wrong address or password: one answer for both, so no address is revealed
        ├── TooManyTries           too many failed tries: refused unchecked until `until`
        └── IdentityMismatch       the e-ID identified someone other than the account's holder

The errors carry no protocol status: what a face answers is the face's business.

Messages never carry message content, personal numbers, phone numbers or codes.
"""

from __future__ import annotations

from datetime import datetime


class MessagingError(Exception):
    def __init__(self, code: str, message_sv: str, detail: str = "", **extra: str) -> None:
        super().__init__(code)
        self.code = code
        self.message_sv = message_sv
        self.detail = detail or message_sv
        self.extra = extra


class InvalidRequest(MessagingError):
    """A rule of the request fails; nothing was changed."""


class PayloadTooLarge(MessagingError):
    """An attachment, or the attachments together, exceed a size limit; nothing was kept."""


class Forbidden(MessagingError):
    """The actor may see the thing but not do this to it."""


class NotFound(MessagingError):
    """Absent, or not the actor's to see."""

    def __init__(self, what: str = "message") -> None:
        texts = {
            "message": "Meddelandet finns inte eller är inte ditt att se.",
            "mailbox": "Brevlådan finns inte eller är inte din att se.",
            "case": "Ärendet finns inte eller är inte ditt att se.",
            "attachment": "Bilagan finns inte eller är inte din att se.",
            "delivery": "Mottagaren finns inte på meddelandet.",
            "member": "Medarbetaren är inte medlem i brevlådan.",
            "invitation": "Inbjudan gäller inte längre. Be om en ny inbjudan.",
            "account": "Kontot finns inte eller är inte ditt att se.",
        }
        super().__init__(f"{what}_not_found", texts.get(what, "Hittades inte."))


class Conflict(MessagingError):
    """The thing is not in a state that allows this (already opened, already taken, ...)."""


class StepUpRequired(MessagingError):
    """The actor received the message but signed in below its level; they must sign in again, higher.

    Only a registered recipient of the message learns this; everyone else gets NotFound.
    """

    def __init__(self, required_loa: int) -> None:
        super().__init__(
            "step_up_required",
            "Meddelandet kräver en högre säkerhetsnivå. Logga in igen med starkare identifiering.",
        )
        self.required_loa = required_loa


class SignInRefused(MessagingError):
    """A valid token whose person is no staff user here and cannot become one.

    The address is taken (by another staff user, a function mailbox or a registered recipient) or lies outside
    the organisation's verified domains. The reason is written to the audit trail, never told to the caller.
    """

    def __init__(self) -> None:
        super().__init__(
            "sign_in_refused",
            "Ditt konto kan inte användas i Sigill. Kontakta din organisations administratör.",
            "This account cannot sign in to Sigill; an administrator can see why in the audit trail.",
        )


class AccountSignInFailed(MessagingError):
    """A recipient account's holder could not be signed in; nothing says whether the address has an account."""


class CredentialsRefused(AccountSignInFailed):
    def __init__(self) -> None:
        super().__init__(
            "sign_in_failed",
            "Fel e-postadress eller lösenord.",
            "The address and password do not match an account (which of the two is never said).",
        )


class TooManyTries(AccountSignInFailed):
    """Too many failed tries of the secret; every try is refused, unchecked, until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(
            "too_many_tries",
            "Du har försökt för många gånger. Vänta en stund och försök igen, eller logga in med e-legitimation.",
            "Too many failed tries; try again later.",
        )
        self.until = until


class IdentityMismatch(AccountSignInFailed):
    """The e-ID identified a person, but not the account's holder (the attempt is audited)."""

    def __init__(self) -> None:
        super().__init__(
            "identification_failed",
            "Identifieringen misslyckades.",
            "The identified person is not the account's holder.",
        )


class LinkUnavailable(MessagingError):
    """A link that leads nowhere: unknown, with a wrong token, recalled or expired. Which one is never said."""

    def __init__(self) -> None:
        super().__init__("link_unavailable", "Länken går inte att använda.")


class IdentificationFailed(MessagingError):
    """A link recipient identified, but not as the person the delivery is for; nothing was opened.

    The audit trail records why; the person is told only that identification failed.
    """

    def __init__(self) -> None:
        super().__init__("identification_failed", "Identifieringen misslyckades.")
