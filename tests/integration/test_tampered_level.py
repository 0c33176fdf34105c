"""A message's level, reply rule and sender are sealed into its key: a database edit of them fails closed.

The fields stay readable in the record (listings and access checks use them), so an intruder who can
write to the database could lower a message's level until a weaker sign-in passes. The message's
data key is bound to them, so after such an edit nothing of the message opens, for anyone.
"""

from __future__ import annotations

import uuid

import pytest

from messaging.model import Content
from messaging.sealing import associated_data, seal_content
from store.records import Message
from tests.integration.harness import ANNA, BERTIL, Server
from tests.integration.tampering import REMOVE, edit_message


async def _sent(server: Server, **message: object) -> tuple[str, str]:
    secret = f"Utredning {uuid.uuid4().hex}"
    sent = await server.send(
        ANNA, recipients=[{"address": BERTIL}], subject="Känsligt", body=secret, **message
    )
    assert sent.status == 201, sent.body
    return sent.body["id"], secret


async def test_lowering_the_stored_level_fails_closed(server: Server) -> None:
    message_id, secret = await _sent(server, loa=3)
    refused = await server.get(f"/messages/{message_id}", BERTIL)  # a LoA2 sign-in
    assert refused.status != 200

    await edit_message(server, message_id, "loa", 2)

    for reader in (BERTIL, ANNA):
        response = await server.get(f"/messages/{message_id}", reader)
        assert response.status != 200, response.body
        assert secret.encode() not in response.raw


@pytest.mark.parametrize(
    ("field", "value"),
    [("reply_allowed", True), ("sender_mailbox", BERTIL), ("sender_user_id", "someone-else")],
)
async def test_editing_the_reply_rule_or_sender_fails_closed(
    server: Server, field: str, value: object
) -> None:
    message_id, secret = await _sent(server, loa=1, reply_allowed=False)
    assert (await server.get(f"/messages/{message_id}", BERTIL)).body["body"] == secret

    await edit_message(server, message_id, field, value)

    response = await server.get(f"/messages/{message_id}", BERTIL)
    assert response.status != 200, response.body
    assert secret.encode() not in response.raw


async def test_a_message_stored_before_the_binding_still_opens(server: Server) -> None:
    """Stored by an earlier version: no seal_format field, its key bound to the organisation and id only."""
    message_id, _ = await _sent(server, loa=1)
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    envelope = server.components.envelope
    async with server.components.store.unit_of_work(org.org_id) as uow:
        message = await uow.messages.get(message_id)
        assert isinstance(message, Message)
        key, message.wrapped_key = await envelope.new_data_key(associated_data(org.org_id, message_id, "key"))
        content = Content(subject="Från förr", body="Gammalt format", open_message="")
        message.sealed_content = seal_content(key, org.org_id, message_id, content)
        uow.messages.update(message)
        await uow.commit()
    await edit_message(server, message_id, "seal_format", REMOVE)

    opened = await server.get(f"/messages/{message_id}", BERTIL)

    assert opened.status == 200, opened.body
    assert (opened.body["subject"], opened.body["body"]) == ("Från förr", "Gammalt format")
