"""A folder item names the message it answers, so a client finds a recipient's reply from the sender's inbox."""

from __future__ import annotations

from tests.integration.harness import ANNA, BERTIL, Server


async def test_a_reply_in_the_senders_inbox_names_the_message_it_answers(server: Server) -> None:
    sent = await server.send(ANNA, recipients=[{"address": BERTIL}], subject="Fråga om mötet")
    assert sent.status == 201
    original = sent.body["id"]
    reply = await server.post(
        f"/messages/{original}/replies",
        BERTIL,
        json={"subject": "Sv: Fråga om mötet", "body": "Tisdag passar."},
    )
    assert reply.status == 201

    inbox = await server.get(f"/mailboxes/{ANNA}/inbox", ANNA)
    assert inbox.status == 200
    answers = [item for item in inbox.body["items"] if item["message_id"] == reply.body["id"]]
    assert [item["in_reply_to"] for item in answers] == [original]
    # The original, in Bertil's inbox, answers nothing.
    bertil = await server.get(f"/mailboxes/{BERTIL}/inbox", BERTIL)
    assert [item["in_reply_to"] for item in bertil.body["items"] if item["message_id"] == original] == [None]
