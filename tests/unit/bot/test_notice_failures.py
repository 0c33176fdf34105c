"""What the Bot Connector's answers mean to the outbox worker: try again later, or give that person up."""

from __future__ import annotations

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.notices import continuation, failure
from notify.errors import PermanentFailure, TemporaryFailure
from store.records import ConversationReference

URL_ = URL("https://smba.trafficmanager.net/emea/v3/conversations/a:1/activities")


def answered(status: int) -> aiohttp.ClientResponseError:
    info = aiohttp.RequestInfo(URL_, "POST", CIMultiDictProxy(CIMultiDict()), URL_)
    return aiohttp.ClientResponseError(info, (), status=status, message="{}")


@pytest.mark.parametrize("status", [500, 502, 503, 429, 401, 408])
def test_an_answer_that_may_pass_is_tried_again(status: int) -> None:
    error = failure(answered(status))
    assert isinstance(error, TemporaryFailure) and not isinstance(error, PermanentFailure)
    assert str(error) == f"the Bot Connector answered {status}"


@pytest.mark.parametrize("status", [400, 403, 404])
def test_a_refusal_for_good_is_permanent(status: int) -> None:
    assert isinstance(failure(answered(status)), PermanentFailure)


@pytest.mark.parametrize("error", [aiohttp.ClientConnectionError(), TimeoutError(), ValueError("token")])
def test_no_connection_a_timeout_or_a_surprise_is_tried_again(error: Exception) -> None:
    assert isinstance(failure(error), TemporaryFailure)
    assert "token" not in str(failure(error))


def test_the_continuation_is_a_new_message_in_the_users_personal_chat() -> None:
    reference = ConversationReference(
        org_id="org-1",
        user_id="user-1",
        service_url="https://smba.trafficmanager.net/emea/",
        conversation_id="a:1Personal",
        bot_id="28:bot",
        tenant_id="tenant-1",
        aad_object_id="oid-1",
        locale="sv-SE",
    )
    activity = continuation(reference)

    assert activity.id is None  # not a reply to anything
    assert activity.service_url == "https://smba.trafficmanager.net/emea/"
    assert activity.conversation is not None and activity.conversation.id == "a:1Personal"
    assert activity.conversation.tenant_id == "tenant-1"
    assert activity.recipient is not None and activity.recipient.id == "28:bot"
    assert activity.channel_id == "msteams"
