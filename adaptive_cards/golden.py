"""Golden data: every card the bot can show, in every state, in both languages.

`python -m adaptive_cards.golden --out DIR` writes each as DIR/<name>.json, for the schema test and for a
browser test that renders them. The data covers an empty folder, each status, taken and free cases,
validation errors, long texts, Swedish letters and hostile input (markdown, links, quotes, `</script>`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from adaptive_cards.cases import case_card, case_delete_confirm_card
from adaptive_cards.compose import compose_card
from adaptive_cards.details import details_card, recall_confirm_card
from adaptive_cards.elements import Element
from adaptive_cards.folders import folder_card
from adaptive_cards.message import message_card
from adaptive_cards.notice import ArrivalView, arrival_card
from adaptive_cards.strings import Locale
from adaptive_cards.views import (
    AttachmentLink,
    CaseCardView,
    CaseInfo,
    ComposeRecipient,
    ComposeView,
    DetailsView,
    FolderRow,
    FolderView,
    MailboxRef,
    MessageView,
    RecipientLine,
)
from adaptive_cards.welcome import notice_card, refusal_card, welcome_card
from store.records import DeliveryStatus

HOSTILE: Final = (
    "**x**",
    "[a](javascript:alert(1))",
    'citat "så"',
    "</script><script>alert(1)</script>",
    "# Rubrik",
)
T0: Final = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night summer time starts in Stockholm
LONG: Final = "Åäö långt stycke om ärendet. " * 2000
STATUSES: Final[tuple[DeliveryStatus, ...]] = ("unopened", "opened", "answered", "recalled")
KOMMUN: Final = MailboxRef("mbx-7f3a", "Socialtjänsten Västerås")


def _rows(count: int, *, cases: bool = False, links: bool = False) -> list[FolderRow]:
    rows = []
    for index in range(count):
        status = STATUSES[index % len(STATUSES)]
        case = None
        if cases:
            holder = ("Anna Andersson", "Bertil Öberg", None)[index % 3]
            case = CaseInfo(
                f"case-{index}", "closed" if index == 5 else "open", holder, held_by_viewer=index % 3 == 1
            )
        rows.append(
            FolderRow(
                message_id=f"msg-{index:04d}",
                subject=None if index == 2 else f"{HOSTILE[index % len(HOSTILE)]} Ärende nr {index} för Åsa" + "x" * 150 * (index == 3),
                counterpart=("Jan Dahl, Dentalklinik AB", "janedoe@mail.com", "Örjan Ågren [admin]")[index % 3],
                time=T0 + timedelta(hours=index * 7),
                loa=1 + index % 3,
                status=status,
                has_attachments=index % 2 == 0,
                delivery_id=f"dlv-{index}" if links else None,
                method=("email", "sms", "eid", "siths")[index % 4] if links else None,
                case=case,
            )
        )  # fmt: skip
    return rows


def _compose(**changes: Any) -> ComposeView:
    base = ComposeView(
        draft_id="drf-91c2",
        recipients_text="anna@vasteras.se, extern@example.com, sms@example.com",
        recipients=[
            ComposeRecipient("anna@vasteras.se", registered=True),
            ComposeRecipient("extern@example.com", registered=False),
            ComposeRecipient("sms@example.com", registered=False, method="sms", phone="070-123 45 67"),
        ],
        subject="Kallelse till möte på Östermalm",
        body="Hej!\n\nVälkommen på möte **tisdag**.\n- punkt\n1. punkt",
        loa=2,
        default_open_message="Du har fått ett säkert meddelande från Västerås stad.",
        attachment_names=["intyg_åäö.pdf", "[x](javascript:alert(1)).docx"],
    )
    return replace(base, **changes)


def _message(**changes: Any) -> MessageView:
    base = MessageView(
        message_id="msg-0001",
        loa=2,
        viewer_loa=2,
        sender="Jan Dahl, Dentalklinik AB",
        sent_at=T0,
        subject="Provsvar för Åke Öst",
        body="Hej Åke,\n\nHär är **provsvaret**. [Klicka](javascript:alert(1)) </script>",
        attachments=[
            AttachmentLink("provsvar.pdf", "https://sigill.example/api/v1/messages/msg-0001/attachments/a1")
        ],
        portal_url="https://sigill.example/mottagare/meddelanden/msg-0001?steg=upp",
    )
    return replace(base, **changes)


def _details(status: DeliveryStatus) -> DetailsView:
    return DetailsView(
        message_id="msg-0001",
        delivery_id="dlv-1",
        address="janedoe@mail.com",
        subject="**Viktigt** om Östersund",
        status=status,
        opened_at=T0 + timedelta(hours=3) if status in ("opened", "answered") else None,
        method="sms",
        answered_at=T0 + timedelta(hours=5) if status == "answered" else None,
        reply_message_id="msg-0099" if status == "answered" else None,
    )


def _case(
    holder: str | None,
    *,
    mine: bool = False,
    status: str = "open",
    subject: str | None = "Ansökan om bistånd",
) -> CaseCardView:
    return CaseCardView(
        mailbox=KOMMUN,
        message_id="msg-0042",
        case=CaseInfo("case-42", "closed" if status == "closed" else "open", holder, held_by_viewer=mine),
        subject=subject,
        counterpart="Örjan Ågren",
        time=T0,
        loa=3,
    )  # fmt: skip


Builder = Callable[[Locale], Element]

CARDS: Final[dict[str, Builder]] = {
    "welcome": lambda lc: welcome_card(lc),
    "welcome-mailboxes": lambda lc: welcome_card(
        lc, [KOMMUN, *(MailboxRef(f"mbx-{i}", f"Funktionsbrevlåda {i} **x**") for i in range(7))]
    ),
    "refusal": refusal_card,
    "notice-hostile": lambda lc: notice_card(lc, "Meddelandet finns inte", HOSTILE[1]),
    "arrival-personal": lambda lc: arrival_card(ArrivalView("msg-0001", "Jan Dahl, Dentalklinik AB", 2), lc),
    "arrival-function-hostile": lambda lc: arrival_card(
        ArrivalView("msg-0042", HOSTILE[1], 3, function_mailbox=f"{HOSTILE[0]} Socialtjänsten Åre"), lc
    ),
    "compose-empty": lambda lc: compose_card(
        ComposeView(draft_id="drf-0", default_open_message="Standardtext"), lc
    ),
    "compose-filled": lambda lc: compose_card(_compose(), lc),
    "compose-loa3": lambda lc: compose_card(_compose(loa=3), lc),
    "compose-errors": lambda lc: compose_card(
        _compose(
            subject="",
            recipients_text="inte-en-adress, extern@example.com, sms@example.com",
            errors={
                "form": "Meddelandet kunde inte skickas.",
                "recipients": "Adressen inte-en-adress är ogiltig.",
                "subject": "Ämnet måste fyllas i.",
                "method_1": "Identifiering med e-post räcker inte för tillitsnivå 2.",
                "phone_2": "Telefonnumret är ogiltigt.",
            },
        ),
        lc,
    ),
    "compose-long-hostile": lambda lc: compose_card(
        _compose(
            body=LONG,
            subject=HOSTILE[3],
            open_message=HOSTILE[1],
            recipients=[ComposeRecipient(f"mottagare{i}@exempel.se", registered=False) for i in range(25)],
            recipients_text=", ".join(f"mottagare{i}@exempel.se" for i in range(25)),
        ),
        lc,
    ),
    # The most a card can be asked to carry: every field at its limit, in two-byte letters.
    "compose-worst-case": lambda lc: compose_card(
        _compose(
            body="å" * 20_000,
            subject="ä" * 255,
            open_message="ö" * 1000,
            default_open_message="ö" * 1000,
            recipients=[ComposeRecipient(f"{i}{'å' * 240}@exempel.se", registered=False) for i in range(25)],
            recipients_text="ä" * 4000,
            attachment_names=[f"{'ö' * 250}.pdf" for _ in range(20)],
            errors={
                f"method_{i}": "Identifiering med e-post räcker inte för tillitsnivå 2." for i in range(25)
            },
        ),
        lc,
    ),
    "message-worst-case": lambda lc: message_card(
        _message(
            body="å" * 200_000,
            show_full=True,
            subject="ä" * 255,
            sender="ö" * 254,
            attachments=[AttachmentLink("ö" * 250, "https://sigill.example/" + "a" * 100) for _ in range(50)],
            recipients=[RecipientLine("d" * 40, f"{i}{'å' * 240}@exempel.se", "opened") for i in range(25)],
        ),
        lc,
    ),
    "inbox-empty": lambda lc: folder_card(FolderView("inbox", []), lc),
    "inbox-page": lambda lc: folder_card(
        FolderView("inbox", _rows(10), page=2, cursor="c2", previous_cursor="c1", next_cursor="c3"), lc
    ),
    "sent-statuses": lambda lc: folder_card(FolderView("sent", _rows(4), next_cursor="c2"), lc),
    "links-page": lambda lc: folder_card(FolderView("links", _rows(10, links=True)), lc),
    "mailbox-inbox": lambda lc: folder_card(
        FolderView(
            "inbox", _rows(10, cases=True), mailbox=KOMMUN, assignee_filter="others", next_cursor="c2"
        ),
        lc,
        refresh_user_ids=["29:1abc", "29:2def"],
    ),
    "mailbox-empty-closed": lambda lc: folder_card(
        FolderView("inbox", [], mailbox=KOMMUN, status_filter="closed"), lc
    ),
    "message": lambda lc: message_card(_message(), lc),
    "message-locked": lambda lc: message_card(
        _message(viewer_loa=1, subject=None, body=None, attachments=[]), lc
    ),
    "message-long": lambda lc: message_card(_message(body=LONG), lc),
    "message-long-full": lambda lc: message_card(_message(body=LONG, show_full=True), lc),
    "message-sender": lambda lc: message_card(
        _message(
            recipients=[
                RecipientLine(f"dlv-{i}", f"mottagare{i}@exempel.se", STATUSES[i % 4]) for i in range(8)
            ]
        ),
        lc,
    ),
    **{
        f"details-{status}": (lambda s: lambda lc: details_card(_details(s), lc))(status)
        for status in STATUSES
    },
    "details-recalled-now": lambda lc: details_card(_details("recalled"), lc, recalled_now=True),
    "recall-confirm": lambda lc: recall_confirm_card(_details("unopened"), lc),
    "case-free": lambda lc: case_card(_case(None), lc),
    "case-taken-by-other": lambda lc: case_card(
        _case("Anna Andersson"),
        lc,
        notice="Ärendet är redan taget av Anna Andersson.",
        refresh_user_ids=["29:1abc"],
    ),
    "case-taken-by-me": lambda lc: case_card(_case("Bertil Öberg", mine=True), lc),
    "case-closed-locked": lambda lc: case_card(_case(None, status="closed", subject=None), lc),
    "case-delete-confirm": lambda lc: case_delete_confirm_card(_case(None, subject=HOSTILE[0]), lc),
}


def all_cards() -> dict[str, Element]:
    """Every golden card in Swedish, and in English with an `-en` suffix."""
    cards: dict[str, Element] = {}
    for name, build in CARDS.items():
        cards[name] = build("sv")
        cards[f"{name}-en"] = build("en")
    return cards


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in all_cards().items():
        path = out / f"{name}.json"
        path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m adaptive_cards.golden", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, required=True, help="the directory to write <name>.json into")
    args = parser.parse_args(argv)
    written = write(args.out)
    print(f"{len(written)} cards written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
