"""SMS through Azure Communication Services, with the azure-communication-sms client.

The client signs each request with the resource's access key (HMAC-SHA256 over
the method, path, date, host and body hash). It is built once and reused; the
worker's own backoff does the retrying, so the SDK's retries are off.

Failures are sorted for the worker: throttling (429), timeouts, server errors
and refused credentials are temporary; a request the service calls bad (400,
for example a number it cannot send to) is permanent. Messages carry the
status code only, never the number or the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from azure.communication.sms.aio import SmsClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import AzureError, HttpResponseError

from notify.errors import PermanentFailure, TemporaryFailure
from notify.ports import Sms

# Statuses after which the same request can never succeed.
PERMANENT_STATUSES = frozenset({400, 404, 413, 422})


@dataclass(frozen=True, slots=True)
class AcsConfig:
    from_number: str
    connection_string: str = ""
    endpoint: str = ""
    access_key: str = ""
    timeout: float = 30.0


class AcsSmsSender:
    def __init__(self, config: AcsConfig, *, client_options: Mapping[str, Any] | None = None) -> None:
        options: dict[str, Any] = {
            "retry_total": 0,
            "connection_timeout": config.timeout,
            "read_timeout": config.timeout,
            **(client_options or {}),
        }
        self._from = config.from_number
        if config.connection_string:
            self._client = SmsClient.from_connection_string(config.connection_string, **options)
        else:
            self._client = SmsClient(config.endpoint, AzureKeyCredential(config.access_key), **options)

    async def send(self, sms: Sms) -> None:
        try:
            results = await self._client.send(from_=self._from, to=[sms.to], message=sms.text)
        except HttpResponseError as exc:
            raise _by_status(exc.status_code, "ACS refused the SMS request") from exc
        except AzureError as exc:
            raise TemporaryFailure(f"ACS cannot be reached ({type(exc).__name__})") from exc
        for result in results:
            if not result.successful:
                raise _by_status(result.http_status_code, "ACS did not send the SMS")

    async def close(self) -> None:
        await self._client.close()


def _by_status(status: int | None, what: str) -> TemporaryFailure | PermanentFailure:
    if status in PERMANENT_STATUSES:
        return PermanentFailure(f"{what} ({status})")
    return TemporaryFailure(f"{what} ({status})")
