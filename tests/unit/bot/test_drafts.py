"""Compose drafts in memory: bound to their user, forgotten when idle, bounded in number and size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.drafts import DraftFile, DraftFull, DraftStore


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_a_draft_is_found_only_by_its_own_organisation_and_user() -> None:
    drafts = DraftStore(Clock())
    draft = drafts.new("org-a", "anna")

    assert drafts.get(draft.draft_id, "org-a", "anna") is draft
    assert drafts.get(draft.draft_id, "org-a", "bertil") is None
    assert drafts.get(draft.draft_id, "org-b", "anna") is None
    assert drafts.get("unknown", "org-a", "anna") is None
    assert len(draft.draft_id) >= 40


def test_an_idle_draft_is_forgotten_and_a_touched_one_is_kept() -> None:
    clock = Clock()
    drafts = DraftStore(clock, idle=timedelta(hours=24))
    idle, used = drafts.new("o", "anna"), drafts.new("o", "anna")

    clock.advance(hours=23)
    assert drafts.get(used.draft_id, "o", "anna") is used
    clock.advance(hours=2)

    assert drafts.get(idle.draft_id, "o", "anna") is None
    assert drafts.get(used.draft_id, "o", "anna") is used
    assert len(drafts) == 1


def test_each_user_keeps_at_most_so_many_drafts_the_oldest_go_first() -> None:
    drafts = DraftStore(Clock(), per_user=3)
    made = [drafts.new("o", "anna") for _ in range(4)]
    other = drafts.new("o", "bertil")

    assert drafts.get(made[0].draft_id, "o", "anna") is None
    assert all(drafts.get(d.draft_id, "o", "anna") is d for d in made[1:])
    assert drafts.get(other.draft_id, "o", "bertil") is other


def test_an_upload_token_opens_one_draft_for_a_short_while() -> None:
    clock = Clock()
    drafts = DraftStore(clock, upload_lifetime=timedelta(minutes=15))
    draft, other = drafts.new("o", "anna"), drafts.new("o", "anna")
    token = drafts.upload_token(draft)

    assert drafts.by_upload_token(token) is draft
    assert drafts.by_upload_token(token + "x") is None
    clock.advance(minutes=16)
    assert drafts.by_upload_token(token) is None
    assert drafts.get(other.draft_id, "o", "anna") is other


def test_a_discarded_draft_takes_its_upload_tokens_along() -> None:
    drafts = DraftStore(Clock())
    draft = drafts.new("o", "anna")
    token = drafts.upload_token(draft)

    drafts.discard(draft.draft_id)

    assert drafts.by_upload_token(token) is None
    assert drafts.get(draft.draft_id, "o", "anna") is None


def test_files_stay_within_the_draft_and_the_total_limits() -> None:
    drafts = DraftStore(Clock(), draft_file_bytes=100, total_file_bytes=150)
    first, second = drafts.new("o", "anna"), drafts.new("o", "bertil")
    drafts.add_files(first, [DraftFile("a.bin", "application/octet-stream", b"x" * 90)])

    with pytest.raises(DraftFull):
        drafts.add_files(first, [DraftFile("b.bin", "application/octet-stream", b"x" * 11)])
    assert drafts.room_for(second) == 60
    small, large = (
        DraftFile(n, "application/octet-stream", b"x" * size) for n, size in (("c", 10), ("d", 51))
    )
    with pytest.raises(DraftFull):
        drafts.add_files(second, [small, large])
    assert [f.name for f in first.files] == ["a.bin"] and second.files == []


def test_no_content_shows_in_a_drafts_repr() -> None:
    drafts = DraftStore(Clock())
    draft = drafts.new("o", "anna")
    draft.subject, draft.body, draft.recipients_text = "Hemligt ämne", "Hemlig text", "kund@example.org"
    drafts.add_files(draft, [DraftFile("journal.pdf", "application/pdf", b"%PDF hemligt")])

    shown = repr(draft)

    assert all(
        secret not in shown for secret in ("Hemligt ämne", "Hemlig text", "kund@example.org", "journal")
    )


def test_a_draft_taken_for_its_send_is_taken_once_and_can_be_put_back() -> None:
    drafts = DraftStore(Clock())
    draft = drafts.new("o", "anna")

    assert drafts.take(draft) is True
    assert drafts.take(draft) is False
    assert drafts.get(draft.draft_id, "o", "anna") is None
    drafts.put_back(draft)
    assert drafts.get(draft.draft_id, "o", "anna") is draft
