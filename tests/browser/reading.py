"""What every walkthrough does once the message is open: read it, download its attachment, reply, and see the
reply arrive on the sender's side."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Walk, wait_until
from tests.browser.staff import Attachment, Sent, Staff

ATTACHMENT = Attachment("Beslut om bygglov.pdf", b"%PDF-1.7\n" + uuid.uuid4().bytes * 64, "application/pdf")
# Every message the walkthroughs send carries this address in its text; the reading page makes it a link.
HELP_LINK = "https://example.org/hjalp"
# An e-ID page polls every 2 seconds before it moves on to the message.
EID_WITHIN_MS = 15_000


def read_download_and_reply(walk: Walk, sent: Sent, *, step: str = "message") -> str:
    """On the reading page: the message, its attachment saved to disk, and a reply sent; the reply's text."""
    expect(walk.page.get_by_text(sent.subject).first).to_be_visible(timeout=EID_WITHIN_MS)
    expect(walk.page.get_by_text("Här är beslutet i ditt ärende", exact=False)).to_be_visible()
    expect(walk.page.get_by_role("link", name=HELP_LINK)).to_have_attribute("href", HELP_LINK)
    walk.check(step)

    with walk.page.expect_download() as started:
        walk.page.get_by_role("link", name=re.compile(re.escape(ATTACHMENT.name))).click()
    download = started.value
    assert download.suggested_filename == ATTACHMENT.name
    assert Path(download.path()).read_bytes() == ATTACHMENT.content

    reply = f"Tack, jag har läst beslutet. ({uuid.uuid4().hex[:8]})"
    walk.page.get_by_label("Svar").fill(reply)
    walk.page.get_by_role("button", name="Skicka svar").click()
    expect(walk.page.get_by_label("Svar")).to_have_value("")
    walk.check(f"{step}-replied")
    return reply


def assert_answered(staff: Staff, sent: Sent, reply: str, *, opened_method: str | None) -> None:
    """The reply is in the sender's inbox, and the sender's view shows the delivery opened and answered."""
    replies = wait_until(lambda: staff.replies_to(sent.message_id), what="the reply in the sender's inbox")
    assert [r["body"] for r in replies] == [reply]
    delivery: dict[str, Any] = staff.message(sent.message_id)["deliveries"][0]
    assert delivery["id"] == sent.delivery_id
    assert delivery["status"] == "answered"
    assert delivery["opened_at"] and delivery["answered_at"]
    if opened_method is not None:
        assert delivery["opened_method"] == opened_method
