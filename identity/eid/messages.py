"""What the person waiting for an e-identification is told, in Swedish and English.

BankID prescribes its user messages (the "RFA" texts of its Relying Party Guidelines) and which one to show for
each order status and `hintCode`; people recognise them from every other service, and they reveal nothing about
Sigill. Unknown hint codes get the texts BankID names for them (RFA21 while pending, RFA22 on failure), so a hint
code added by BankID later still shows something sensible. Freja eID has no such catalogue; its texts are ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class UserMessage:
    """One text in both languages; `key` names it (an RFA number, or our own key) for tests and logs."""

    key: str
    sv: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language == "en" else self.sv


def _rfa(key: str, sv: str, en: str) -> UserMessage:
    return UserMessage(key, sv, en)


_INSTALL = "Installera appen från din appbutik eller https://install.bankid.com."
_INSTALL_EN = "Install the app from your app store or https://install.bankid.com."

RFA: Final[dict[str, UserMessage]] = {
    message.key: message
    for message in (
        _rfa("RFA1", "Starta BankID-appen.", "Start your BankID app."),
        _rfa(
            "RFA2",
            "Du har inte BankID-appen installerad. Kontakta din internetbank.",
            "The BankID app is not installed. Please contact your bank.",
        ),
        _rfa("RFA3", "Åtgärden avbruten. Försök igen.", "Action cancelled. Please try again."),
        _rfa(
            "RFA4",
            "En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.",
            "An identification or signing for this personal number is already started. Please try again.",
        ),
        _rfa("RFA5", "Internt tekniskt fel. Försök igen.", "Internal error. Please try again."),
        _rfa("RFA6", "Åtgärden avbruten.", "Action cancelled."),
        _rfa(
            "RFA8",
            "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. "
            "Om du inte har något giltigt BankID kan du hämta ett hos din bank. Försök sedan igen.",
            "The BankID app is not responding. Please check that it is started and that you have internet "
            "access. If you don't have a valid BankID you can get one from your bank. Try again.",
        ),
        _rfa(
            "RFA9",
            "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
            "Enter your security code in the BankID app and select Identify or Sign.",
        ),
        _rfa("RFA13", "Försöker starta BankID-appen.", "Trying to start your BankID app."),
        _rfa(
            "RFA15",
            "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID har "
            "hittats har du sannolikt inget BankID som går att använda för den aktuella identifieringen/"
            "underskriften i den här enheten. Om du inte har något BankID kan du hämta ett hos din internetbank.",
            "Searching for BankID, it may take a little while … If a few seconds have passed and still no "
            "BankID has been found, you probably don't have a BankID which can be used for this identification/"
            "signing on this device. If you don't have a BankID you can get one from your bank.",
        ),
        _rfa(
            "RFA16",
            "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller hämta "
            "ett nytt hos din internetbank.",
            "The BankID you are trying to use is blocked or too old. Please use another BankID or get a new "
            "one from your bank.",
        ),
        _rfa(
            "RFA17A",
            f"BankID-appen verkar inte finnas i din dator eller telefon. Installera den och hämta ett BankID "
            f"hos din internetbank. {_INSTALL}",
            f"The BankID app couldn't be found on your computer or mobile device. Please install it and get a "
            f"BankID from your bank. {_INSTALL_EN}",
        ),
        _rfa(
            "RFA17B",
            f"Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. Kontrollera att "
            f"BankID-appen är uppdaterad. Om du inte har BankID-appen måste du installera den och hämta ett "
            f"BankID hos din internetbank. {_INSTALL}",
            f"Failed to scan the QR code. Start the BankID app and scan the QR code. Check that the BankID app "
            f"is up to date. If you don't have the BankID app, you need to install it and get a BankID from "
            f"your bank. {_INSTALL_EN}",
        ),
        _rfa("RFA18", "Starta BankID-appen", "Start the BankID app"),
        _rfa(
            "RFA19",
            "Vill du identifiera dig eller skriva under med BankID på den här datorn eller med ett Mobilt BankID?",
            "Would you like to identify yourself or sign with a BankID on this computer, or with a Mobile BankID?",
        ),
        _rfa(
            "RFA20",
            "Vill du identifiera dig eller skriva under med ett BankID på den här enheten eller med ett BankID "
            "på en annan enhet?",
            "Would you like to identify yourself or sign with a BankID on this device, or with a BankID on "
            "another device?",
        ),
        _rfa("RFA21", "Identifiering eller underskrift pågår.", "Identification or signing in progress."),
        _rfa("RFA22", "Okänt fel. Försök igen.", "Unknown error. Please try again."),
        _rfa(
            "RFA23",
            "Fotografera och läs av din ID-handling med BankID-appen.",
            "Process your machine-readable travel document using the BankID app.",
        ),
    )
}

COMPLETE = UserMessage("complete", "Identifieringen är klar.", "The identification is complete.")

_PENDING: Final = {
    "noClient": "RFA1",
    "started": "RFA15",
    "userMrtd": "RFA23",
    "userSign": "RFA9",
}
_FAILED: Final = {
    "expiredTransaction": "RFA8",
    "certificateErr": "RFA16",
    "userCancel": "RFA6",
    "cancelled": "RFA3",
}
_ERRORS: Final = {
    "alreadyInProgress": "RFA4",
    "requestTimeout": "RFA5",
    "internalError": "RFA5",
    "maintenance": "RFA5",
}


def bankid_pending(hint_code: str, *, autostarted: bool = False) -> UserMessage:
    """The message while an order is pending; `autostarted` when the app was opened on this device."""
    if hint_code == "outstandingTransaction":
        return RFA["RFA13" if autostarted else "RFA1"]
    return RFA[_PENDING.get(hint_code, "RFA21")]


def bankid_failed(hint_code: str, *, autostarted: bool = False) -> UserMessage:
    """The message once an order has failed (RFA17A after an autostart, RFA17B after a QR code)."""
    if hint_code == "startFailed":
        return RFA["RFA17A" if autostarted else "RFA17B"]
    return RFA[_FAILED.get(hint_code, "RFA22")]


def bankid_error(error_code: str) -> UserMessage:
    """The message when BankID refused a call (`errorCode`), or could not be reached ("")."""
    return RFA[_ERRORS.get(error_code, "RFA22")]


FREJA: Final[dict[str, UserMessage]] = {
    message.key: message
    for message in (
        UserMessage(
            "STARTED",
            "Öppna Freja eID-appen och godkänn identifieringen.",
            "Open the Freja eID app and approve the identification.",
        ),
        UserMessage(
            "DELIVERED_TO_MOBILE",
            "Godkänn identifieringen i Freja eID-appen.",
            "Approve the identification in the Freja eID app.",
        ),
        UserMessage("CANCELED", "Du avbröt identifieringen.", "You cancelled the identification."),
        UserMessage(
            "RP_CANCELED", "Identifieringen avbröts. Försök igen.", "The identification was cancelled."
        ),
        UserMessage(
            "EXPIRED",
            "Tiden för identifieringen gick ut. Försök igen.",
            "The identification timed out. Please try again.",
        ),
        UserMessage(
            "REJECTED",
            "Identifieringen kunde inte genomföras. Försök igen.",
            "The identification could not be completed. Please try again.",
        ),
        UserMessage(
            "pending",
            "Identifiering pågår i Freja eID-appen.",
            "Identification in progress in the Freja eID app.",
        ),
    )
}


def freja_status(status: str) -> UserMessage:
    """The message for a Freja eID transaction status (an unknown one is still in progress)."""
    if status == "APPROVED":
        return COMPLETE
    return FREJA.get(status, FREJA["pending"])


_OIDC_CANCELLED = UserMessage(
    "access_denied", "Inloggningen med SITHS-kort avbröts.", "The sign-in with the SITHS card was cancelled."
)
_OIDC_FAILED = UserMessage(
    "oidc_error",
    "Inloggningen med SITHS-kort misslyckades. Försök igen.",
    "The sign-in with the SITHS card failed. Please try again.",
)


def oidc_error(error: str) -> UserMessage:
    """The message for an `error` the OpenID provider sent back instead of a code."""
    return _OIDC_CANCELLED if error == "access_denied" else _OIDC_FAILED
