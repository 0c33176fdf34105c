"""Every word the cards show, in Swedish first and English (Teams reports the user's locale).

One table keeps the two languages side by side, so a missing translation is a test failure rather than a
blank button. `text(locale, key, **values)` fills `{name}` placeholders; the values are plain text and the
caller escapes them where they end up in markdown.
"""

from __future__ import annotations

from typing import Final, Literal

from messaging.levels import LEVEL_HELP, LEVEL_NAMES, METHOD_LABELS, OPEN_MESSAGE_WARNING

Locale = Literal["sv", "en"]

_STRINGS: Final[dict[str, tuple[str, str]]] = {
    # Welcome and refusal
    "app.name": ("Sigill", "Sigill"),
    "welcome.title": ("Välkommen till Sigill", "Welcome to Sigill"),
    "welcome.intro": (
        "Skicka och läs krypterade meddelanden. Välj vad du vill göra.",
        "Send and read encrypted messages. Choose what you want to do.",
    ),
    "welcome.mailboxes": ("Funktionsbrevlådor", "Function mailboxes"),
    "refusal.title": ("Sigill är inte tillgängligt för dig", "Sigill is not available to you"),
    "refusal.text": (
        "Din organisation eller ditt konto är inte anslutet till Sigill. Är du ny i Sigill? Öppna fliken "
        "Meddelanden en gång, så kopplas ditt konto, och försök sedan igen. Annars: kontakta din administratör.",
        "Your organisation or your account is not connected to Sigill. New to Sigill? Open the Messages tab "
        "once, which connects your account, then try again. Otherwise, contact your administrator.",
    ),
    # Answers to a failed action
    "error.title": ("Det gick inte", "That did not work"),
    "error.internal": (
        "Något gick fel hos oss. Försök igen.",
        "Something went wrong on our side. Try again.",
    ),
    "error.not_found": (
        "Det du letar efter finns inte, eller så har du inte tillgång till det.",
        "What you are looking for does not exist, or you do not have access to it.",
    ),
    "error.unknown_action": ("Den här åtgärden finns inte.", "This action does not exist."),
    "error.changed": (
        "Någon annan ändrade samma sak samtidigt. Försök igen.",
        "Someone else changed the same thing at the same time. Try again.",
    ),
    "error.refused": ("Det går inte att göra det här just nu.", "This cannot be done right now."),
    # Navigation
    "nav.compose": ("Nytt meddelande", "New message"),
    "nav.inbox": ("Inkorg", "Inbox"),
    "nav.sent": ("Skickade", "Sent"),
    "nav.links": ("Länkar", "Links"),
    "nav.previous": ("Föregående", "Previous"),
    "nav.next": ("Nästa", "Next"),
    "nav.back": ("Tillbaka", "Back"),
    "nav.page": ("Sida {page}", "Page {page}"),
    # Compose
    "compose.title": ("Nytt meddelande", "New message"),
    "compose.step1": (
        "Steg 1: fyll i mottagare, ämne och innehåll, och lägg till filer om du vill.",
        "Step 1: enter recipients, subject and content, and add files if you want.",
    ),
    "compose.step2": (
        "Steg 2: välj tillitsnivå och om mottagaren ska kunna svara. Klicka sedan Skicka.",
        "Step 2: choose the level of assurance and whether the recipient may reply. Then click Send.",
    ),
    "compose.recipients": (
        "Mottagare (e-postadresser, skilda med kommatecken)",
        "Recipients (e-mail addresses, comma separated)",
    ),
    "compose.recipients.placeholder": ("namn@exempel.se", "name@example.com"),
    "compose.subject": ("Ämne", "Subject"),
    "compose.body": ("Meddelande", "Message"),
    "compose.loa": ("Tillitsnivå", "Level of assurance"),
    # The levels' names and one-line explanations: messaging/levels.py, shared with the staff web app.
    **{f"compose.loa.{level}": name for level, name in LEVEL_NAMES.items()},
    **{f"compose.loa.{level}.help": help_text for level, help_text in LEVEL_HELP.items()},
    "compose.reply": ("Mottagaren får svara", "The recipient may reply"),
    "compose.reply.label": ("Svar", "Replies"),
    "compose.method": (
        "Identifieringsmetod för {address} (inte registrerad)",
        "Identification method for {address} (not registered)",
    ),
    "compose.phone": ("Mobilnummer för {address} (för sms)", "Mobile number for {address} (for SMS)"),
    "compose.phone.placeholder": ("070-123 45 67", "+46 70 123 45 67"),
    "compose.personal_number": (
        "Personnummer för {address} (för e-legitimation)",
        "Personal identity number for {address} (for e-ID)",
    ),
    "compose.personal_number.placeholder": ("ÅÅÅÅMMDD-NNNN", "YYYYMMDD-NNNN"),
    "compose.open_message": ("Öppet meddelande till länkmottagare", "Open message to link recipients"),
    "compose.open_message.warning": OPEN_MESSAGE_WARNING,
    "compose.files": ("Bifogade filer", "Attached files"),
    "compose.add_files": ("Lägg till filer", "Add files"),
    "compose.update": ("Uppdatera val", "Update choices"),
    "compose.send": ("Skicka", "Send"),
    "compose.draft_gone": (
        "Utkastet finns inte längre (det har skickats eller legat orört för länge). Börja ett nytt meddelande.",
        "The draft no longer exists (it was sent or left untouched too long). Start a new message.",
    ),
    "compose.body_cut": (
        "Texten är längre än kortet rymmer; skriv långa meddelanden i portalen.",
        "The text is longer than the card can hold; write long messages in the portal.",
    ),
    # Methods
    **{f"method.{method}": label for method, label in METHOD_LABELS.items()},
    "method.registered": ("Registrerad mottagare", "Registered recipient"),
    # Folders
    "folder.empty": ("Inga meddelanden här.", "No messages here."),
    "folder.locked": ("Kräver tillitsnivå {loa}", "Requires level {loa}"),
    "folder.level": ("LoA{loa}", "LoA{loa}"),
    "folder.from": ("Från {name}", "From {name}"),
    "folder.to": ("Till {name}", "To {name}"),
    "folder.attachments": ("Har bilagor", "Has attachments"),
    "folder.open_row": ("Öppna", "Open"),
    "folder.details_row": ("Visa status", "Show status"),
    # Statuses (the word is what a screen reader says beside the icon)
    "status.unopened": ("Oöppnat", "Unopened"),
    "status.opened": ("Öppnat", "Opened"),
    "status.answered": ("Besvarat", "Answered"),
    "status.recalled": ("Återkallat", "Recalled"),
    # Message
    "message.from": ("Från", "From"),
    "message.sent_at": ("Skickat", "Sent"),
    "message.level": ("Tillitsnivå", "Level of assurance"),
    "message.recipients": ("Mottagare", "Recipients"),
    "message.attachments": ("Bilagor", "Attachments"),
    "message.locked": (
        "Meddelandet kräver tillitsnivå {loa}. Du är inloggad på nivå {current}. Öppna det i portalen och "
        "legitimera dig på högre nivå.",
        "The message requires level {loa}. You are signed in at level {current}. Open it in the portal and "
        "identify at a higher level.",
    ),
    "message.open_in_portal": ("Öppna i portalen", "Open in the portal"),
    "message.show_all": ("Visa hela", "Show all"),
    "message.details": ("Detaljer", "Details"),
    # Details
    "details.title": ("Mottagare", "Recipient"),
    "details.recipient": ("Mottagare", "Recipient"),
    "details.subject": ("Ämne", "Subject"),
    "details.status": ("Status", "Status"),
    "details.opened_at": ("Öppnat", "Opened at"),
    "details.method": ("Identifieringsmetod", "Identification method"),
    "details.answered_at": ("Besvarat", "Answered at"),
    "details.none": ("–", "–"),
    "details.go_to_message": ("Gå till meddelande", "Go to message"),
    "details.show_reply": ("Visa svar", "Show reply"),
    "details.recall": ("Återkalla", "Recall"),
    "details.recalled": ("Meddelandet är återkallat.", "The message has been recalled."),
    "recall.title": ("Återkalla meddelandet?", "Recall the message?"),
    "recall.text": (
        "Återkalla meddelandet till {address}? Mottagaren kan då inte öppna det.",
        "Recall the message to {address}? The recipient will then not be able to open it.",
    ),
    "confirm.yes": ("Bekräfta", "Confirm"),
    "confirm.no": ("Avbryt", "Cancel"),
    # Function mailbox
    "mailbox.title": ("{name}: {folder}", "{name}: {folder}"),
    "case.taken_by": ("Taget av {name}", "Taken by {name}"),
    "case.free": ("Otilldelat", "Unassigned"),
    "case.closed": ("Stängt", "Closed"),
    "case.open": ("Öppet", "Open"),
    "case.manage": ("Hantera", "Manage"),
    "case.title": ("Hantera ärende", "Manage case"),
    "case.take": ("Ta ärendet", "Take the case"),
    "case.release": ("Släpp ärendet", "Release the case"),
    "case.close": ("Avsluta ärendet", "Close the case"),
    "case.delete": ("Ta bort ärendet", "Delete the case"),
    "case.delete.title": ("Ta bort ärendet?", "Delete the case?"),
    "case.delete.text": (
        "Ärendet {subject} tas bort ur funktionsbrevlådan.",
        "The case {subject} is removed from the function mailbox.",
    ),
    "filter.assignee": ("Visa ärenden", "Show cases"),
    "filter.all": ("Alla", "All"),
    "filter.mine": ("Mina", "Mine"),
    "filter.others": ("Andras", "Others'"),
    "filter.unassigned": ("Otilldelade", "Unassigned"),
    "filter.status": ("Status", "Status"),
    "filter.open": ("Öppna", "Open"),
    "filter.closed": ("Stängda", "Closed"),
    "filter.apply": ("Filtrera", "Filter"),
    # The notice a staff user gets in their chat with the bot when a message arrives (no subject, no content)
    "arrival.title": ("Nytt säkert meddelande", "New secure message"),
    "arrival.personal": (
        "Du har fått ett krypterat meddelande i Sigill.",
        "You have received an encrypted message in Sigill.",
    ),
    "arrival.function": (
        "En funktionsbrevlåda du tillhör har fått ett krypterat meddelande i Sigill.",
        "A function mailbox you belong to has received an encrypted message in Sigill.",
    ),
    "arrival.from": ("Från", "From"),
    "arrival.mailbox": ("Funktionsbrevlåda", "Function mailbox"),
    "arrival.level": ("Tillitsnivå", "Level of assurance"),
    "arrival.open": ("Öppna meddelandet", "Open the message"),
}

_INDEX: Final[dict[Locale, int]] = {"sv": 0, "en": 1}


def locale_of(teams_locale: str | None) -> Locale:
    """Swedish first: Swedish when Teams reports a Swedish locale or none; English for any other locale, since a
    reader who chose German or Finnish is better served by English than by Swedish."""
    reported = (teams_locale or "").strip().lower()
    return "sv" if reported in ("", "sv") or reported.startswith("sv-") else "en"


def text(locale: Locale, key: str, **values: object) -> str:
    template = _STRINGS[key][_INDEX[locale]]
    return template.format(**values) if values else template


def keys() -> list[str]:
    return list(_STRINGS)
