"""What a user sees and can press on each card, in Swedish and in English."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from adaptive_cards import verbs
from adaptive_cards.cases import case_card, case_delete_confirm_card
from adaptive_cards.compose import compose_card
from adaptive_cards.details import details_card, recall_confirm_card
from adaptive_cards.folders import folder_card
from adaptive_cards.golden import CARDS, KOMMUN, _case, _compose, _details, _message, _rows
from adaptive_cards.message import message_card
from adaptive_cards.strings import keys, locale_of, text
from adaptive_cards.views import ComposeRecipient, ComposeView, FolderRow, FolderView, MailboxRef
from adaptive_cards.welcome import refusal_card, welcome_card
from tests.unit.adaptive_cards.cardtools import (
    action,
    actions,
    following,
    inputs,
    nodes,
    of_type,
    texts,
    titles,
    verb_and_data,
)

SUMMER = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 12:00 in Stockholm
WINTER = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)  # 11:00 in Stockholm


# Welcome and refusal


def test_welcome_offers_the_four_functions_and_one_button_per_function_mailbox() -> None:
    boxes = [MailboxRef(f"mbx-{i}", f"Brevlåda {i}") for i in range(8)]
    card = welcome_card("sv", boxes)
    assert titles(card)[:4] == ["Nytt meddelande", "Inkorg", "Skickade", "Länkar"]
    assert titles(card)[4:] == [f"Brevlåda {i}" for i in range(8)]
    assert verb_and_data(action(card, "Inkorg")) == (verbs.FOLDER_OPEN, {"folder": "inbox"})
    assert verb_and_data(action(card, "Brevlåda 7")) == (verbs.MAILBOX_OPEN, {"mailbox": "mbx-7"})


def test_welcome_in_english() -> None:
    assert titles(welcome_card("en"))[:4] == ["New message", "Inbox", "Sent", "Links"]


def test_refusal_is_one_card_with_nothing_to_press() -> None:
    card = refusal_card("sv")
    assert actions(card) == []
    assert "inte anslutet till Sigill" in " ".join(texts(card))


# Compose


def test_compose_shows_steps_fields_and_buttons() -> None:
    card = compose_card(_compose(), "sv")
    fields = inputs(card)
    assert {"recipients", "subject", "body", "loa", "reply_allowed", "open_message"} <= set(fields)
    assert fields["subject"]["value"] == "Kallelse till möte på Östermalm"
    assert fields["loa"]["value"] == "2"
    assert fields["reply_allowed"]["value"] == "true"
    assert set(titles(card)) >= {"Skicka", "Lägg till filer"}
    files = action(card, "Lägg till filer")
    assert files["type"] == "Action.Submit" and files["data"]["msteams"] == {"type": "task/fetch"}
    assert verb_and_data(action(card, "Skicka")) == (verbs.COMPOSE_SEND, {"draft": "drf-91c2"})
    assert any(line.startswith("Steg 1") for line in texts(card))
    assert any(line.startswith("Steg 2") for line in texts(card))


def test_compose_explains_each_level_in_one_line() -> None:
    shown = texts(compose_card(_compose(), "sv"))
    assert any(line.startswith("LoA1:") and "lösenord" in line for line in shown)
    assert any(line.startswith("LoA2:") and "sms" in line and "mobilnummer" in line for line in shown)
    assert any(line.startswith("LoA3:") and "BankID" in line and "personnummer" in line for line in shown)


@pytest.mark.parametrize(
    ("loa", "methods"),
    [(1, ["email", "sms", "eid", "siths"]), (2, ["sms", "eid", "siths"]), (3, ["eid", "siths"])],
)
def test_only_methods_that_reach_the_level_are_offered_to_a_link_recipient(
    loa: int, methods: list[str]
) -> None:
    card = compose_card(_compose(loa=loa), "sv")
    choices = inputs(card)["method_1"]["choices"]
    assert [choice["value"] for choice in choices] == methods
    assert "method_0" not in inputs(card)  # anna@vasteras.se is registered: nothing to choose


def test_the_chosen_method_asks_for_what_it_needs() -> None:
    recipients = [
        ComposeRecipient("sms@example.com", registered=False, method="sms", phone="070-1"),
        ComposeRecipient("eid@example.com", registered=False, method="eid", personal_number="19121212-1212"),
        ComposeRecipient("siths@example.com", registered=False, method="siths"),
    ]
    fields = inputs(compose_card(_compose(recipients=recipients, loa=2), "sv"))
    assert fields["phone_0"]["value"] == "070-1" and "personal_number_0" not in fields
    assert fields["personal_number_1"]["value"] == "19121212-1212" and "phone_1" not in fields
    assert "phone_2" not in fields and "personal_number_2" not in fields
    assert "Personnummer för eid@example.com" in fields["personal_number_1"]["label"]


def test_a_method_below_the_level_is_not_kept_and_the_lowest_that_reaches_it_is_preselected() -> None:
    recipients = [ComposeRecipient("x@example.com", registered=False, method="email")]
    fields = inputs(compose_card(_compose(recipients=recipients, loa=3), "sv"))
    assert fields["method_0"]["value"] == "eid"
    assert "personal_number_0" in fields


def test_open_message_warns_it_is_not_encrypted_and_shows_the_default_text() -> None:
    card = compose_card(_compose(), "sv")
    assert (
        inputs(card)["open_message"]["placeholder"] == "Du har fått ett säkert meddelande från Västerås stad."
    )
    assert any("krypteras inte" in line for line in texts(card))


def test_validation_errors_sit_under_their_fields_and_keep_what_was_typed() -> None:
    card = CARDS["compose-errors"]("sv")
    fields = inputs(card)
    assert fields["recipients"]["value"] == "inte-en-adress, extern@example.com, sms@example.com"
    assert fields["body"]["value"].startswith("Hej!")
    for field_id, message in [
        ("recipients", "Adressen inte-en-adress är ogiltig."),
        ("subject", "Ämnet måste fyllas i."),
        ("method_1", "Identifiering med e-post räcker inte för tillitsnivå 2."),
        ("phone_2", "Telefonnumret är ogiltigt."),
    ]:
        assert fields[field_id]["errorMessage"] == message
        below = following(card, field_id)
        assert below is not None and below["type"] == "TextBlock"
        assert below["text"] == message and below["color"] == "Attention"
    assert "Meddelandet kunde inte skickas." in texts(card)


def test_no_input_holds_back_the_cards_other_buttons() -> None:
    # A required input makes Teams refuse every button until it is filled: Uppdatera val and Lägg till filer
    # must work on a half-written message. What is missing is said on Skicka, under its field.
    fields = inputs(compose_card(_compose(), "sv"))
    assert {"recipients", "subject", "body", "loa"} <= set(fields)
    assert any(name.startswith("method_") for name in fields)
    assert not [name for name, field in fields.items() if field.get("isRequired")]
    assert "value" not in inputs(compose_card(ComposeView(draft_id="d"), "sv"))["loa"]


def test_a_body_longer_than_a_card_holds_is_cut_with_a_notice() -> None:
    card = compose_card(_compose(body="å" * 50_000), "sv")
    assert len(inputs(card)["body"]["value"]) <= 6000
    assert any("längre än kortet rymmer" in line for line in texts(card))


# Folders


def test_empty_folder_says_so_and_has_no_pager() -> None:
    card = folder_card(FolderView("inbox", []), "sv")
    assert "Inga meddelanden här." in texts(card)
    assert "Föregående" not in titles(card) and "Nästa" not in titles(card)


def test_rows_show_status_word_time_in_stockholm_and_level() -> None:
    rows = [
        FolderRow("m1", "Sommar", "Åsa", SUMMER, 2, "unopened"),
        FolderRow("m2", "Vinter", "Örjan", WINTER, 3, "opened"),
        FolderRow("m3", "Svar", "Ärla", WINTER, 1, "answered"),
        FolderRow("m4", "Bort", "Eva", WINTER, 1, "recalled"),
    ]
    shown = texts(folder_card(FolderView("sent", rows), "sv"))
    for label in ("✉️ Oöppnat", "📖 Öppnat", "↩️ Besvarat", "⛔ Återkallat"):
        assert label in shown
    assert "2026-07-01 12:00" in shown and "2026-01-15 11:00" in shown
    assert "LoA2" in shown and "Till Åsa" in shown
    english = texts(folder_card(FolderView("sent", rows), "en"))
    assert {"✉️ Unopened", "📖 Opened", "↩️ Answered", "⛔ Recalled"} <= set(english)


def test_a_locked_row_shows_no_subject() -> None:
    rows = [FolderRow("m1", None, "Åsa", SUMMER, 3, "unopened")]
    shown = texts(folder_card(FolderView("inbox", rows), "sv"))
    assert "Kräver tillitsnivå 3" in shown


def test_pager_carries_only_cursors_and_rows_open_the_message_dialog() -> None:
    card = CARDS["inbox-page"]("sv")
    assert verb_and_data(action(card, "Föregående")) == (
        verbs.FOLDER_PAGE,
        {"folder": "inbox", "cursor": "c1"},
    )
    assert verb_and_data(action(card, "Nästa")) == (verbs.FOLDER_PAGE, {"folder": "inbox", "cursor": "c3"})
    rows = folder_rows(card)
    assert len(rows) == 10
    assert "selectAction" not in rows[0]
    assert open_button(rows[0])["title"] == "Öppna"
    assert open_button(rows[0])["data"] == {
        "msteams": {"type": "task/fetch"},
        "verb": "message.open",
        "message": "msg-0000",
    }
    assert card["refresh"]["action"]["data"] == {"folder": "inbox", "cursor": "c2"}


ROW_VERBS = (verbs.MESSAGE_OPEN, verbs.DETAILS_OPEN)


def row_buttons(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The actions of the ActionSets directly in a row."""
    return [a for item in row.get("items", []) if item.get("type") == "ActionSet" for a in item["actions"]]


def folder_rows(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a folder card: containers whose own buttons open a message or a recipient's status."""
    containers = [node for node in nodes(card) if node.get("type") == "Container"]
    return [c for c in containers if any(_verb(a) in ROW_VERBS for a in row_buttons(c))]


def _verb(action: dict[str, Any]) -> str | None:
    # Action.Execute names its verb; an Action.Submit that opens a dialog carries it in its data.
    verb = action.get("verb") or action.get("data", {}).get("verb")
    return str(verb) if verb else None


def open_button(row: dict[str, Any]) -> dict[str, Any]:
    [button] = [a for a in row_buttons(row) if _verb(a) in ROW_VERBS]
    return button


def test_links_rows_open_the_recipient_details_and_name_the_method() -> None:
    card = CARDS["links-page"]("sv")
    rows = folder_rows(card)
    assert open_button(rows[1])["title"] == "Visa status"
    assert verb_and_data(open_button(rows[1])) == (
        verbs.DETAILS_OPEN,
        {"message": "msg-0001", "delivery": "dlv-1"},
    )
    assert any("Sms-kod" in line for line in texts(card))


def test_a_page_holds_at_most_ten_rows() -> None:
    with pytest.raises(ValueError, match="at most 10"):
        folder_card(FolderView("inbox", _rows(11)), "sv")


def test_function_mailbox_marks_taken_cases_and_offers_hantera_and_filters() -> None:
    card = folder_card(
        FolderView(
            "inbox", _rows(3, cases=True), mailbox=KOMMUN, assignee_filter="mine", status_filter="closed"
        ),
        "sv",
        refresh_user_ids=["29:a", "29:b"],
    )
    containers = folder_rows(card)
    # Hantera is the row's own button beside Öppna, never a button inside a selectable row.
    assert [a["title"] for a in row_buttons(containers[0])] == ["Öppna", "Hantera"]
    assert not [node for node in nodes(card) if "selectAction" in node]
    assert containers[0]["style"] == "warning"
    assert "Taget av Anna Andersson · Öppet" in texts(containers[0])
    assert "style" not in containers[2]
    assert "Otilldelat · Öppet" in texts(containers[2])
    manage = [item for item in actions(card) if item.get("title") == "Hantera"]
    assert verb_and_data(manage[0]) == (verbs.CASE_MANAGE, {"mailbox": "mbx-7f3a", "case": "case-0"})
    fields = inputs(card)
    assert [c["title"] for c in fields["assignee"]["choices"]] == ["Alla", "Mina", "Andras", "Otilldelade"]
    assert [c["title"] for c in fields["status"]["choices"]] == ["Öppna", "Stängda"]
    assert (fields["assignee"]["value"], fields["status"]["value"]) == ("mine", "closed")
    assert card["refresh"]["userIds"] == ["29:a", "29:b"]
    assert card["refresh"]["action"]["data"] == {
        "folder": "inbox",
        "mailbox": "mbx-7f3a",
        "assignee": "mine",
        "status": "closed",
    }


# Message


def test_message_shows_content_attachments_as_links_and_tillbaka() -> None:
    card = message_card(_message(), "sv")
    assert any("provsvaret" in line for line in texts(card))
    link = action(card, "📎 provsvar.pdf")
    assert link["type"] == "Action.OpenUrl" and link["url"].endswith("/attachments/a1")
    assert verb_and_data(action(card, "Tillbaka"))[0] == verbs.DIALOG_BACK


def test_message_above_the_users_level_shows_no_content_only_the_portal() -> None:
    card = message_card(_message(viewer_loa=1, loa=3), "sv")
    shown = " ".join(texts(card))
    assert "provsvaret" not in shown and "Provsvar" not in shown
    assert "kräver tillitsnivå 3" in shown
    portal = action(card, "Öppna i portalen")
    assert portal["type"] == "Action.OpenUrl" and "steg=upp" in portal["url"]
    assert not [
        item
        for item in actions(card)
        if item.get("type") == "Action.OpenUrl" and "attachments" in item["url"]
    ]


def test_long_body_is_cut_with_visa_hela_and_shown_whole_after() -> None:
    body = "Åäö " * 1000 + "SLUT"
    cut_card = message_card(_message(body=body), "sv")
    assert not any("SLUT" in line for line in texts(cut_card))
    assert verb_and_data(action(cut_card, "Visa hela")) == (verbs.MESSAGE_FULL, {"message": "msg-0001"})
    full = message_card(_message(body=body, show_full=True), "sv")
    assert any(line.endswith("SLUT") for line in texts(full))
    assert "Visa hela" not in titles(full)


def test_sender_sees_each_recipient_with_status_and_a_details_button() -> None:
    card = CARDS["message-sender"]("sv")
    assert "📖 Öppnat · mottagare1@exempel.se" in texts(card)
    details = action(card, "Detaljer: mottagare1@exempel.se")
    assert verb_and_data(details) == (verbs.DETAILS_OPEN, {"message": "msg-0001", "delivery": "dlv-1"})


# Details and recall


def _facts(card: dict[str, object]) -> dict[str, str]:
    return {fact["title"]: fact["value"] for node in of_type(card, "FactSet") for fact in node["facts"]}


def test_details_show_status_times_and_method_and_recall_only_when_unopened() -> None:
    answered = details_card(_details("answered"), "sv")
    facts = _facts(answered)
    assert facts["Status"] == "↩️ Besvarat" and facts["Identifieringsmetod"] == "Sms-kod"
    assert facts["Öppnat"] != "–" and facts["Besvarat"] != "–"
    assert "Återkalla" not in titles(answered)
    assert verb_and_data(action(answered, "Visa svar"))[1] == {
        "msteams": {"type": "task/fetch"},
        "message": "msg-0099",
    }
    unopened = details_card(_details("unopened"), "sv")
    assert _facts(unopened)["Öppnat"] == "–"
    assert verb_and_data(action(unopened, "Återkalla")) == (
        verbs.DELIVERY_RECALL,
        {"message": "msg-0001", "delivery": "dlv-1"},
    )
    assert "Visa svar" not in titles(unopened)
    assert "Gå till meddelande" in titles(unopened)


def test_recall_asks_for_confirmation_first() -> None:
    card = recall_confirm_card(_details("unopened"), "sv")
    assert verb_and_data(action(card, "Bekräfta"))[0] == verbs.DELIVERY_RECALL_CONFIRM
    assert verb_and_data(action(card, "Avbryt"))[0] == verbs.DETAILS_OPEN
    assert any("janedoe@mail.com" in line for line in texts(card))
    done = details_card(_details("recalled"), "sv", recalled_now=True)
    assert "Meddelandet är återkallat." in texts(done)


# Cases


def test_free_case_offers_take_close_and_delete() -> None:
    card = case_card(_case(None), "sv")
    assert titles(card) == [
        "Gå till meddelande",
        "Ta ärendet",
        "Avsluta ärendet",
        "Ta bort ärendet",
        "Tillbaka",
    ]
    assert verb_and_data(action(card, "Ta ärendet")) == (
        verbs.CASE_TAKE,
        {"mailbox": "mbx-7f3a", "case": "case-42"},
    )


def test_case_taken_by_someone_else_is_highlighted_and_names_the_holder() -> None:
    card = case_card(_case("Anna Andersson"), "sv", notice="Ärendet är redan taget av Anna Andersson.")
    highlighted = [node for node in of_type(card, "Container") if node.get("style") == "warning"]
    assert highlighted and "Taget av Anna Andersson" in texts(highlighted[0])
    assert "Släpp ärendet" not in titles(card)


def test_own_case_can_be_released_and_closed_case_not_closed_again() -> None:
    assert "Släpp ärendet" in titles(case_card(_case("Bertil Öberg", mine=True), "sv"))
    closed = titles(case_card(_case(None, status="closed"), "sv"))
    assert "Avsluta ärendet" not in closed and "Ta ärendet" not in closed


def test_delete_asks_for_confirmation() -> None:
    card = case_delete_confirm_card(_case(None), "sv")
    assert verb_and_data(action(card, "Bekräfta")) == (
        verbs.CASE_DELETE_CONFIRM,
        {"mailbox": "mbx-7f3a", "case": "case-42"},
    )
    assert verb_and_data(action(card, "Avbryt"))[0] == verbs.CASE_MANAGE


# Strings


def test_every_string_has_swedish_and_english() -> None:
    for key in keys():
        assert text("sv", key) if "{" not in text("sv", key) else True
        assert text("en", key)


def test_locale_follows_teams_and_defaults_to_swedish() -> None:
    assert (
        locale_of("en-US") == "en"
        and locale_of("sv-SE") == "sv"
        and locale_of("de-DE") == "en"
        and locale_of("fi-FI") == "en"
        and locale_of("sv-FI") == "sv"
        and locale_of("") == "sv"
        and locale_of(None) == "sv"
    )


# Limits and data


def test_more_than_six_actions_become_several_action_sets() -> None:
    from adaptive_cards.elements import card, execute

    many = [execute(f"Knapp {i}", verbs.FOLDER_OPEN, folder="inbox") for i in range(13)]
    built = card([], "sv", actions=many)
    sets = of_type(built, "ActionSet")
    assert [len(item["actions"]) for item in sets] == [6, 6, 1]
    assert "actions" not in built


def test_a_card_over_40_kb_is_refused_rather_than_sent() -> None:
    from adaptive_cards.elements import CardTooLarge, card, text_block

    with pytest.raises(CardTooLarge):
        card([text_block("å" * 21_000)], "sv")


def test_worst_case_compose_and_message_still_fit_by_cutting_the_body() -> None:
    compose = CARDS["compose-worst-case"]("sv")
    assert len(inputs(compose)["body"]["value"]) < 6000
    message = CARDS["message-worst-case"]("sv")
    assert "Öppna i portalen" in titles(message)


def test_action_data_refuses_anything_but_opaque_keys() -> None:
    from adaptive_cards.elements import execute

    with pytest.raises(ValueError, match="data keys"):
        execute("Öppna", verbs.MESSAGE_OPEN, subject="Hemligt ämne")
    with pytest.raises(ValueError, match="unknown verb"):
        execute("Öppna", "message.delete_everything")
