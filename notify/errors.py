"""Errors raised by the notify layer.

    NotifyError
    ├── TemporaryFailure     the channel may take it later: a 4xx from SMTP, a network error, ACS 429 or 5xx
    └── PermanentFailure     the channel refused this notification for good: a 5xx from SMTP, ACS 400
        └── BadPayload       the outbox item cannot be opened or does not describe a notification

The worker retries a temporary failure with backoff, until its attempts run
out, and gives up on a permanent one at once. Messages name the kind of failure
and a status code only: never an address, a phone number or a text.
"""


class NotifyError(Exception):
    """Base of every notify error."""


class TemporaryFailure(NotifyError):
    """The channel did not take the notification now; a later attempt may succeed."""


class PermanentFailure(NotifyError):
    """The channel refused the notification; retrying the same one cannot help."""


class BadPayload(PermanentFailure):
    """The outbox item's payload cannot be opened or is not a notification this worker knows."""
