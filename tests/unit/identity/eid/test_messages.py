"""What the waiting person reads: BankID's recommended messages for each status and code, in Swedish and English."""

from __future__ import annotations

import pytest

from identity.eid import messages


@pytest.mark.parametrize(
    ("hint", "autostarted", "key"),
    [
        ("outstandingTransaction", False, "RFA1"),
        ("outstandingTransaction", True, "RFA13"),
        ("noClient", False, "RFA1"),
        ("started", False, "RFA15"),
        ("userMrtd", False, "RFA23"),
        ("userSign", False, "RFA9"),
        ("userCallConfirm", False, "RFA21"),
        ("aHintBankIdAddsNextYear", False, "RFA21"),
    ],
)
def test_pending_orders(hint: str, autostarted: bool, key: str) -> None:
    assert messages.bankid_pending(hint, autostarted=autostarted).key == key


@pytest.mark.parametrize(
    ("hint", "autostarted", "key"),
    [
        ("expiredTransaction", False, "RFA8"),
        ("certificateErr", False, "RFA16"),
        ("userCancel", False, "RFA6"),
        ("cancelled", False, "RFA3"),
        ("startFailed", False, "RFA17B"),
        ("startFailed", True, "RFA17A"),
        ("transactionRiskBlocked", False, "RFA22"),
    ],
)
def test_failed_orders(hint: str, autostarted: bool, key: str) -> None:
    assert messages.bankid_failed(hint, autostarted=autostarted).key == key


@pytest.mark.parametrize(
    ("error_code", "key"),
    [
        ("alreadyInProgress", "RFA4"),
        ("requestTimeout", "RFA5"),
        ("internalError", "RFA5"),
        ("maintenance", "RFA5"),
        ("invalidParameters", "RFA22"),
        ("", "RFA22"),
    ],
)
def test_refused_calls(error_code: str, key: str) -> None:
    assert messages.bankid_error(error_code).key == key


def test_the_texts_are_bankids_own_in_both_languages() -> None:
    assert messages.bankid_pending("outstandingTransaction").text("sv") == "Starta BankID-appen."
    assert messages.bankid_pending("outstandingTransaction").text("en") == "Start your BankID app."
    assert messages.bankid_pending("userSign").sv == (
        "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under."
    )
    assert messages.bankid_failed("userCancel").sv == "Åtgärden avbruten."
    assert messages.bankid_failed("cancelled").sv == "Åtgärden avbruten. Försök igen."
    assert messages.RFA["RFA19"].sv.startswith("Vill du identifiera dig eller skriva under med BankID")
    for message in messages.RFA.values():
        assert message.sv and message.en and message.sv != message.en


@pytest.mark.parametrize(
    ("status", "text"),
    [
        ("STARTED", "Öppna Freja eID-appen och godkänn identifieringen."),
        ("DELIVERED_TO_MOBILE", "Godkänn identifieringen i Freja eID-appen."),
        ("CANCELED", "Du avbröt identifieringen."),
        ("EXPIRED", "Tiden för identifieringen gick ut. Försök igen."),
        ("APPROVED", "Identifieringen är klar."),
        ("A_NEW_STATUS", "Identifiering pågår i Freja eID-appen."),
    ],
)
def test_freja_statuses(status: str, text: str) -> None:
    assert messages.freja_status(status).sv == text


def test_an_openid_provider_error() -> None:
    assert messages.oidc_error("access_denied").sv == "Inloggningen med SITHS-kort avbröts."
    assert messages.oidc_error("server_error").sv == "Inloggningen med SITHS-kort misslyckades. Försök igen."
