"""The portal's words, in Swedish (the default) and English.

Templates ask for a text by key through `t(key, **values)`. A key that has no text is a programming error and
fails loudly in tests rather than showing a blank on a page. Labels that people and tests find controls by
("Öppna meddelandet", "Kod", "Skicka kod", ...) are fixed by the product and kept exactly as written here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, Literal

Language = Literal["sv", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("sv", "en")
DEFAULT_LANGUAGE: Final[Language] = "sv"
Translate = Callable[..., str]

# The labels the product fixes in Swedish (see above). They stay Swedish on an English page, so there they are
# marked lang="sv" (WCAG 3.1.2, language of parts): a screen reader then speaks them as Swedish, not as English.
FIXED_LABELS: Final[frozenset[str]] = frozenset(
    {
        "Öppna meddelandet",
        "Skicka kod",
        "Kod",
        "Identifiera med BankID",
        "Identifiera med Freja eID",
        "Identifiera med SITHS-kort",
        "Fortsätt",
        "Svar",
        "Skicka svar",
        "E-post",
        "Lösenord",
        "Logga in",
    }
)

# key -> (Swedish, English)
TEXTS: Final[Mapping[str, tuple[str, str]]] = {
    # The frame of every page.
    "service_name": ("Sigill säkra meddelanden", "Sigill secure messages"),
    "skip_link": ("Hoppa till innehållet", "Skip to main content"),
    "language_switch_label": ("Språk", "Language"),
    "footer_text": (
        "Meddelandet skickades krypterat. Sidan sparar bara det som behövs för att du ska kunna läsa det.",
        "The message was sent encrypted. This page keeps only what it needs for you to read it.",
    ),
    "error_summary_title": ("Det finns ett problem", "There is a problem"),
    "error_prefix": ("Fel:", "Error:"),
    # Error pages.
    "error_title": ("Något gick fel", "Something went wrong"),
    "error_400": (
        "Förfrågan gick inte att läsa. Gå tillbaka och försök igen.",
        "The request could not be read. Go back and try again.",
    ),
    "error_403": (
        "Sidan har varit öppen för länge eller skickades från fel ställe. Ladda om sidan och försök igen.",
        "The page was open too long or was sent from somewhere else. Reload the page and try again.",
    ),
    "error_404_title": ("Sidan finns inte", "Page not found"),
    "error_404": (
        "Det finns ingen sida på den adressen. Kontrollera adressen.",
        "There is no page at that address. Check the address.",
    ),
    "error_405": ("Sidan kan inte användas på det sättet.", "The page cannot be used that way."),
    "error_408": ("Det tog för lång tid. Försök igen.", "That took too long. Try again."),
    "error_413": ("Det du skickade är för stort.", "What you sent is too large."),
    "error_429_title": ("Vänta en stund", "Please wait"),
    "error_429": (
        "Du har försökt för många gånger. Vänta en stund och försök igen.",
        "You have tried too many times. Wait a while and try again.",
    ),
    "error_500": (
        "Något gick fel hos oss. Försök igen om en stund.",
        "Something went wrong on our side. Try again in a while.",
    ),
    "error_503": (
        "Tjänsten är inte tillgänglig just nu. Försök igen om en stund.",
        "The service is not available right now. Try again in a while.",
    ),
    "session_ended": (
        "Du har varit inaktiv en stund, så vi har loggat ut dig. Öppna länken i e-postmeddelandet igen.",
        "You were inactive for a while, so you have been signed out. Open the link in the e-mail again.",
    ),
    "error_422": (
        "Något är inte rätt ifyllt. Gå tillbaka och försök igen.",
        "Something is not filled in correctly. Go back and try again.",
    ),
    "error_409": (
        "Någon annan ändrade samma sak samtidigt. Försök igen.",
        "Something changed at the same time. Try again.",
    ),
    "error_conflict": (
        "Någon annan ändrade samma sak samtidigt. Försök igen.",
        "Something changed at the same time. Try again.",
    ),
    "error_unreadable": (
        "Innehållet kunde inte läsas. Kontakta avsändaren.",
        "The content could not be read. Contact the sender.",
    ),
    "link_unavailable_title": ("Meddelandet går inte att öppna", "The message cannot be opened"),
    "link_unavailable": (
        "Länken går inte att använda. Den kan vara felskriven, för gammal, eller så har meddelandet dragits tillbaka.",
        "The link cannot be used. It may be mistyped or too old, or the message may have been withdrawn.",
    ),
    "link_unavailable_help": (
        "Kontakta den som skickade meddelandet om du behöver det.",
        "Contact the sender if you need the message.",
    ),
    "code_locked": (
        "Du har angett fel kod för många gånger. Vänta 15 minuter och försök igen.",
        "You have entered the wrong code too many times. Wait 15 minutes and try again.",
    ),
    "code_rate_limited": (
        "En ny kod kan inte skickas riktigt än. Vänta en stund och försök igen.",
        "A new code cannot be sent just yet. Wait a while and try again.",
    ),
    "eid_failed": ("Identifieringen misslyckades.", "The identification failed."),
    # The link: before identification.
    "identify_title": ("Du har fått ett säkert meddelande", "You have received a secure message"),
    "identify_heading": ("Du har fått ett säkert meddelande", "You have received a secure message"),
    "identify_lead": (
        "{sender} på {org} har skickat ett krypterat meddelande till dig.",
        "{sender} at {org} has sent you an encrypted message.",
    ),
    "from_label": ("Från", "From"),
    "organisation_label": ("Organisation", "Organisation"),
    "level_label": ("Säkerhetsnivå", "Level of assurance"),
    "level_1": ("Tillitsnivå 1 (LoA1)", "Level 1 (LoA1)"),
    "level_2": ("Tillitsnivå 2 (LoA2)", "Level 2 (LoA2)"),
    "level_3": ("Tillitsnivå 3 (LoA3)", "Level 3 (LoA3)"),
    "method_label": ("Så identifierar du dig", "How you identify"),
    "method_email": ("Med länken i e-postmeddelandet", "With the link in the e-mail"),
    "method_sms": ("Med en kod i ett sms", "With a code by text message"),
    "method_eid": ("Med BankID eller Freja eID", "With BankID or Freja eID"),
    "method_siths": ("Med SITHS-kort", "With a SITHS card"),
    "how_heading": ("Öppna meddelandet", "Open the message"),
    "email_how": (
        "Meddelandet öppnas när du trycker på knappen. Avsändaren får se att du har öppnat det.",
        "The message opens when you press the button. The sender will see that you have opened it.",
    ),
    "sms_how": (
        "Vi skickar en kod i ett sms till {phone}. Du skriver in koden på nästa sida.",
        "We will send a code by text message to {phone}. You enter the code on the next page.",
    ),
    "have_code": ("Jag har redan fått en kod", "I already have a code"),
    "eid_how": (
        "Identifiera dig med BankID eller Freja eID. Meddelandet kan bara öppnas av den som det är skickat till.",
        "Identify yourself with BankID or Freja eID. Only the person the message was sent to can open it.",
    ),
    "siths_how": (
        "Identifiera dig med ditt SITHS-kort. Kortet måste höra till den e-postadress meddelandet skickades till.",
        "Identify yourself with your SITHS card. The card must belong to the e-mail address the message was sent to.",
    ),
    "eid_not_offered": (
        "Identifieringen går inte att använda just nu. Försök igen senare eller kontakta avsändaren.",
        "Identification cannot be used right now. Try again later or contact the sender.",
    ),
    # The link: SMS code.
    "code_title": ("Skriv in koden", "Enter the code"),
    "code_heading": ("Skriv in koden från sms:et", "Enter the code from the text message"),
    "code_sent_to": (
        "Koden skickas i ett sms till {phone}. Den gäller i {minutes} minuter.",
        "The code is sent by text message to {phone}. It is valid for {minutes} minutes.",
    ),
    "code_hint": ("Koden har 6 siffror.", "The code has 6 digits."),
    "code_sent": ("Vi har skickat en kod till dig.", "We have sent you a code."),
    "no_code_heading": ("Fick du ingen kod?", "Did you not get a code?"),
    "no_code_text": (
        "Det kan ta en liten stund innan sms:et kommer fram. Du kan be om en ny kod en gång i minuten.",
        "It can take a little while for the text message to arrive. You can ask for a new code once a minute.",
    ),
    "send_new_code": ("Skicka en ny kod", "Send a new code"),
    "code_missing": ("Skriv in koden från sms:et", "Enter the code from the text message"),
    "code_malformed": (
        "Koden består av 6 siffror. Skriv in siffrorna från sms:et.",
        "The code is 6 digits. Enter the digits from the text message.",
    ),
    "code_wrong": (
        "Koden stämmer inte. Kontrollera koden och försök igen. Du har {tries} försök kvar.",
        "The code is not right. Check the code and try again. You have {tries} tries left.",
    ),
    "code_expired": (
        "Koden har gått ut eller har redan använts. Be om en ny kod.",
        "The code has expired or has already been used. Ask for a new code.",
    ),
    "code_locked_until": (
        "Du har skrivit fel kod för många gånger. Du kan försöka igen klockan {time}.",
        "You have entered the wrong code too many times. You can try again at {time}.",
    ),
    "code_wait": (
        "Du kan inte få en ny kod riktigt än. Du kan be om en ny kod klockan {time}.",
        "You cannot get a new code just yet. You can ask for a new code at {time}.",
    ),
    # The link: e-identification.
    "bankid_title": ("Identifiera dig med BankID", "Identify yourself with BankID"),
    "freja_title": ("Identifiera dig med Freja eID", "Identify yourself with Freja eID"),
    "bankid_scan": (
        "Öppna BankID-appen i din mobil och skanna QR-koden.",
        "Open the BankID app on your phone and scan the QR code.",
    ),
    "bankid_qr_alt": ("QR-kod att skanna med BankID-appen", "QR code to scan with the BankID app"),
    "bankid_this_device": ("Öppna BankID på den här enheten", "Open BankID on this device"),
    "freja_open": (
        "Öppna Freja eID-appen i din mobil och godkänn identifieringen.",
        "Open the Freja eID app on your phone and approve the identification.",
    ),
    "continue_hint": (
        "När du har identifierat dig i appen trycker du på Fortsätt.",
        "When you have identified yourself in the app, press Fortsätt (Continue).",
    ),
    "cancel": ("Avbryt", "Cancel"),
    "eid_failed_title": ("Identifieringen misslyckades", "The identification failed"),
    "siths_cancelled": ("Identifieringen avbröts.", "The identification was cancelled."),
    # The link: the message.
    "sent_label": ("Skickat", "Sent"),
    "message_heading": ("Meddelandet", "The message"),
    "attachments_heading": ("Bilagor", "Attachments"),
    "reply_heading": ("Svara", "Reply"),
    "files_label": ("Bifoga filer (valfritt)", "Attach files (optional)"),
    "files_hint": (
        "Filerna skickas krypterade tillsammans med ditt svar.",
        "The files are sent encrypted with your reply.",
    ),
    "reply_missing": ("Skriv ditt svar", "Write your reply"),
    "reply_sent": ("Ditt svar har skickats.", "Your reply has been sent."),
    "reply_not_allowed": (
        "Avsändaren har inte gjort det möjligt att svara på det här meddelandet.",
        "The sender has not made it possible to reply to this message.",
    ),
    "close_message": ("Stäng meddelandet", "Close the message"),
    "error_back_home": (
        "Öppna länken i e-postmeddelandet igen om du vill försöka på nytt.",
        "Open the link in the e-mail again to try once more.",
    ),
}


def translator(language: Language) -> Translate:
    """`t(key, **values)`: the text in `language`, with `{name}` placeholders filled in."""
    index = LANGUAGES.index(language)

    def t(key: str, /, **values: object) -> str:
        text = TEXTS[key][index]
        return text.format(**values) if values else text

    return t


def parse_language(value: str | None) -> Language | None:
    """A language code the portal speaks, or None."""
    if value == "sv":
        return "sv"
    if value == "en":
        return "en"
    return None
