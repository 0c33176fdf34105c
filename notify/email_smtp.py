"""E-mail over SMTP with aiosmtplib: STARTTLS, authentication, one connection per mail.

Failures are sorted for the worker: a 4xx reply, a refused connection, a
timeout, a TLS or authentication problem are temporary (the server, or its
configuration, may be right later); a 5xx reply to the sender, the recipient or
the data is permanent for this mail. Error messages carry the reply code, never
the server's text (it often quotes the address).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import aiosmtplib

from notify.errors import PermanentFailure, TemporaryFailure
from notify.mime import compose
from notify.ports import Email


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    from_address: str
    username: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 30.0


class SmtpEmailSender:
    def __init__(
        self,
        config: SmtpConfig,
        clock: Callable[[], datetime],
        *,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._config = config
        self._clock = clock
        # None: the system's trusted certificates, with host names checked.
        self._tls_context = tls_context

    async def send(self, email: Email) -> None:
        config = self._config
        message = compose(email, config.from_address, self._clock())
        try:
            await aiosmtplib.send(
                message,
                hostname=config.host,
                port=config.port,
                username=config.username or None,
                password=config.password or None,
                start_tls=config.starttls,
                tls_context=self._tls_context,
                timeout=config.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            raise _by_code(min(codes, default=550), "the recipient was refused") from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise TemporaryFailure(f"SMTP authentication failed ({exc.code})") from exc
        except (
            aiosmtplib.SMTPSenderRefused,
            aiosmtplib.SMTPDataError,
            aiosmtplib.SMTPRecipientRefused,
        ) as exc:
            raise _by_code(exc.code, "the mail was refused") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise TemporaryFailure(f"the SMTP server answered {exc.code}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryFailure(f"the SMTP server cannot be used ({type(exc).__name__})") from exc

    async def close(self) -> None:
        return None


def _by_code(code: int, what: str) -> TemporaryFailure | PermanentFailure:
    if 400 <= code < 500:
        return TemporaryFailure(f"{what} for now ({code})")
    return PermanentFailure(f"{what} ({code})")
