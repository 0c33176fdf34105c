"""The notice card a staff user gets unasked: who sent, the level, one button; never anything of the content."""

from __future__ import annotations

from adaptive_cards.notice import ArrivalView, arrival_card
from tests.unit.adaptive_cards.cardtools import actions, schema_errors


def test_a_personal_notice_shows_the_sender_and_level_and_opens_the_message_in_a_dialog() -> None:
    card = arrival_card(ArrivalView("msg-1", "Jan Dahl, Dentalklinik AB", 3), "sv")

    assert schema_errors(card) == []
    assert card["body"][0]["text"] == "Nytt säkert meddelande"
    assert card["body"][2]["facts"] == [
        {"title": "Från", "value": "Jan Dahl, Dentalklinik AB"},
        {"title": "Tillitsnivå", "value": "LoA3"},
    ]
    [button] = actions(card)
    assert button == {
        "type": "Action.Submit",
        "title": "Öppna meddelandet",
        "data": {"msteams": {"type": "task/fetch"}, "verb": "message.open", "message": "msg-1"},
    }


def test_a_function_mailbox_notice_names_the_mailbox_and_escapes_every_name() -> None:
    view = ArrivalView("msg-2", "[Klicka](javascript:alert(1))", 1, function_mailbox="**Socialtjänsten**")
    card = arrival_card(view, "en")

    assert card["lang"] == "en"
    assert (
        card["body"][1]["text"]
        == "A function mailbox you belong to has received an encrypted message in Sigill."
    )
    assert card["body"][2]["facts"] == [
        {"title": "From", "value": "\\[Klicka\\]\\(javascript:alert\\(1\\)\\)"},
        {"title": "Function mailbox", "value": "\\*\\*Socialtjänsten\\*\\*"},
        {"title": "Level of assurance", "value": "LoA1"},
    ]
    assert actions(card)[0]["title"] == "Open the message"
