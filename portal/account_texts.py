"""The words of the account pages (/konto/...), in Swedish (the default) and English.

The account templates get these through `ta(key, **values)`, beside the portal's own `t` for the frame of every
page. Labels that people and tests find controls by ("E-post", "Lösenord", "Logga in", "Kod", "Identifiera med
BankID", "Svar", "Skicka svar", ...) are fixed by the product and kept exactly as written here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from portal.i18n import LANGUAGES, Language, Translate

# key -> (Swedish, English)
ACCOUNT_TEXTS: Final[Mapping[str, tuple[str, str]]] = {
    "service": ("Konto för säkra meddelanden", "Secure messages account"),
    # Signing in.
    "sign_in_title": ("Logga in", "Sign in"),
    "sign_in_lead": (
        "Logga in för att läsa och svara på säkra meddelanden som skickats till dig.",
        "Sign in to read and answer secure messages sent to you.",
    ),
    "email": ("E-post", "E-post"),
    "password": ("Lösenord", "Lösenord"),
    "sign_in": ("Logga in", "Logga in"),
    "or_eid_title": ("Logga in med e-legitimation", "Sign in with e-identification"),
    "or_eid_lead": (
        "Med e-legitimation kan du läsa meddelanden på alla säkerhetsnivåer.",
        "With e-identification you can read messages at every level of assurance.",
    ),
    "bankid": ("Identifiera med BankID", "Identifiera med BankID"),
    "freja": ("Identifiera med Freja eID", "Identifiera med Freja eID"),
    "siths": ("Identifiera med SITHS-kort", "Identifiera med SITHS-kort"),
    "email_missing": ("Ange din e-postadress.", "Enter your e-mail address."),
    "password_missing": ("Ange ditt lösenord.", "Enter your password."),
    "sign_in_failed": ("Fel e-postadress eller lösenord.", "Wrong e-mail address or password."),
    "too_many_tries": (
        "Du har försökt för många gånger. Vänta 15 minuter och försök igen, eller logga in med e-legitimation.",
        "You have tried too many times. Wait 15 minutes and try again, or sign in with e-identification.",
    ),
    # The second step.
    "code_title": ("Ange koden från sms:et", "Enter the code from the text message"),
    "code_sent": (
        "Vi har skickat en kod i ett sms till {phone}. Koden gäller i 10 minuter.",
        "We have sent a code by text message to {phone}. The code is valid for 10 minutes.",
    ),
    "code_not_resent": (
        "En kod skickades nyss till {phone}. Använd den, eller be om en ny kod om en stund.",
        "A code was sent to {phone} a moment ago. Use it, or ask for a new code in a while.",
    ),
    "code": ("Kod", "Kod"),
    "code_hint": ("6 siffror", "6 digits"),
    "code_missing": ("Ange koden från sms:et.", "Enter the code from the text message."),
    "code_malformed": (
        "Koden består av 6 siffror. Ange siffrorna från sms:et.",
        "The code is 6 digits. Enter the digits from the text message.",
    ),
    "code_wrong": (
        "Koden stämmer inte. Du har {tries} försök kvar.",
        "The code is not right. You have {tries} tries left.",
    ),
    "code_expired": (
        "Koden gäller inte längre. Be om en ny kod.",
        "The code is no longer valid. Ask for a new code.",
    ),
    "code_locked": (
        "Du har angett fel kod för många gånger. Vänta 15 minuter och försök igen.",
        "You have entered the wrong code too many times. Wait 15 minutes and try again.",
    ),
    "send_new_code": ("Skicka ny kod", "Send a new code"),
    # Choosing the organisation.
    "choose_org_title": ("Välj organisation", "Choose an organisation"),
    "choose_org_lead": (
        "Din e-postadress har konton hos flera organisationer. Välj vilket konto du vill logga in på.",
        "Your e-mail address has accounts with several organisations. Choose the account to sign in to.",
    ),
    "organisation": ("Organisation", "Organisation"),
    "choose_org_missing": ("Välj en organisation.", "Choose an organisation."),
    "continue": ("Fortsätt", "Continue"),
    # E-identification.
    "eid_title_bankid": ("Identifiera dig med BankID", "Identify with BankID"),
    "eid_title_freja": ("Identifiera dig med Freja eID", "Identify with Freja eID"),
    "eid_qr_alt": (
        "QR-kod att skanna med BankID-appen",
        "QR code to scan with the BankID app",
    ),
    "eid_open_app": ("Öppna BankID på den här enheten", "Open BankID on this device"),
    "eid_continue_hint": (
        "När du har identifierat dig i appen, tryck på Fortsätt.",
        "When you have identified yourself in the app, press Continue.",
    ),
    "eid_cancel": ("Avbryt", "Cancel"),
    "personal_number": ("Personnummer", "Personnummer"),
    "personal_number_hint": ("12 siffror, ÅÅÅÅMMDD-NNNN", "12 digits, YYYYMMDD-NNNN"),
    "personal_number_invalid": (
        "Ange ett giltigt personnummer (ÅÅÅÅMMDD-NNNN).",
        "Enter a valid personal identity number (YYYYMMDD-NNNN).",
    ),
    "freja_lead": (
        "Ange ditt personnummer. Sedan skickar vi en förfrågan till Freja eID-appen i din mobil.",
        "Enter your personal identity number. Then we send a request to the Freja eID app on your phone.",
    ),
    "eid_failed": ("Identifieringen misslyckades.", "The identification failed."),
    "eid_no_account": (
        "Identifieringen misslyckades. Det finns inget konto som du kan logga in på med den e-legitimationen.",
        "The identification failed. There is no account you can sign in to with that e-identification.",
    ),
    "eid_unavailable": (
        "Tjänsten för e-legitimation svarar inte just nu. Försök igen om en stund.",
        "The e-identification service is not answering right now. Try again in a while.",
    ),
    # The inbox and messages.
    "inbox_title": ("Inkorg", "Inbox"),
    "signed_in_as": ("Inloggad som {name} ({org})", "Signed in as {name} ({org})"),
    "level": ("Säkerhetsnivå {loa}", "Level of assurance {loa}"),
    "sign_out": ("Logga ut", "Sign out"),
    "inbox_empty": ("Du har inga meddelanden.", "You have no messages."),
    "subject": ("Ämne", "Subject"),
    "from": ("Från", "From"),
    "sent": ("Skickat", "Sent"),
    "status": ("Status", "Status"),
    "locked_subject": (
        "Kräver säkerhetsnivå {loa} – identifiera dig med e-legitimation för att läsa",
        "Needs level of assurance {loa} – identify with e-identification to read",
    ),
    "status_unopened": ("Oläst", "Unread"),
    "status_opened": ("Läst", "Read"),
    "status_answered": ("Besvarat", "Answered"),
    "status_recalled": ("Återkallat", "Recalled"),
    "next_page": ("Äldre meddelanden", "Older messages"),
    "back_to_inbox": ("Tillbaka till inkorgen", "Back to the inbox"),
    "attachments": ("Bilagor", "Attachments"),
    "download": ("Ladda ner {name}", "Download {name}"),
    "reply_title": ("Svara", "Reply"),
    "reply_field": ("Svar", "Svar"),
    "reply_files": ("Bifoga filer (valfritt)", "Attach files (optional)"),
    "reply_send": ("Skicka svar", "Skicka svar"),
    "reply_missing": ("Skriv ditt svar.", "Write your reply."),
    "reply_sent": ("Ditt svar är skickat.", "Your reply has been sent."),
    "reply_not_allowed": (
        "Avsändaren har inte tillåtit svar på det här meddelandet.",
        "The sender does not allow replies to this message.",
    ),
    "step_up_title": ("Meddelandet kräver e-legitimation", "The message needs e-identification"),
    "step_up_lead": (
        "Meddelandet har säkerhetsnivå {loa}. Du är inloggad på nivå {current}. "
        "Identifiera dig med e-legitimation för att läsa det.",
        "The message has level of assurance {loa}. You are signed in at level {current}. "
        "Identify with e-identification to read it.",
    ),
    "step_up_no_personal_eid": (
        "Ditt konto har inget personnummer registrerat, så BankID och Freja eID kan inte användas. "
        "Kontakta avsändaren.",
        "Your account has no personal identity number registered, so BankID and Freja eID cannot be used. "
        "Contact the sender.",
    ),
    "not_found": (
        "Meddelandet finns inte eller är inte ditt att se.",
        "The message does not exist or is not yours.",
    ),
    # The invitation.
    "invitation_title": ("Skapa ditt konto", "Create your account"),
    "invitation_lead": (
        "{org} har bjudit in {email} till ett konto för säkra meddelanden. Välj ett lösenord och ange ditt "
        "mobilnummer. Du får en kod i ett sms för att bekräfta numret.",
        "{org} has invited {email} to a secure messages account. Choose a password and give your mobile "
        "number. You will get a code by text message to confirm the number.",
    ),
    "new_password": ("Lösenord", "Lösenord"),
    "new_password_hint": (
        "Minst 12 tecken. Välj något som är lätt för dig att minnas men svårt för andra att gissa.",
        "At least 12 characters. Choose something easy for you to remember and hard for others to guess.",
    ),
    "repeat_password": ("Upprepa lösenordet", "Repeat the password"),
    "phone": ("Mobilnummer", "Mobilnummer"),
    "phone_hint": ("Till exempel 070-123 45 67", "For example +46 70 123 45 67"),
    "phone_missing": ("Ange ditt mobilnummer.", "Enter your mobile number."),
    "confirm_title": ("Bekräfta ditt mobilnummer", "Confirm your mobile number"),
    "confirm": ("Bekräfta", "Bekräfta"),
    "invitation_gone_title": ("Inbjudan gäller inte", "The invitation is not valid"),
    "invitation_gone": (
        "Länken kan inte användas. Den kan vara felskriven, för gammal eller redan använd. "
        "Be den som bjöd in dig om en ny inbjudan.",
        "The link cannot be used. It may be mistyped, too old or already used. "
        "Ask whoever invited you for a new invitation.",
    ),
}


def account_translator(language: Language) -> Translate:
    """`ta(key, **values)`: the account pages' text in `language`, with `{name}` placeholders filled in."""
    index = LANGUAGES.index(language)

    def ta(key: str, /, **values: object) -> str:
        text = ACCOUNT_TEXTS[key][index]
        return text.format(**values) if values else text

    return ta
