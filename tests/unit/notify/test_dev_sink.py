"""The development sink: a private file any process can append to, read newest first, the text exactly as sent."""

from __future__ import annotations

import multiprocessing
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from notify.dev_sink import DevEmailSender, DevSink, DevSmsSender
from notify.mime import compose, plain_text
from notify.ports import Email, Sms

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class Ticking:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def mail(to: str, text: str = "Hej Åsa!\nÖppna: https://example.se/r/a/b/c\n") -> Email:
    return Email(
        to=to,
        subject="Säkert meddelande från Västerås stad",
        text=text,
        html="<p>Hej</p>",
        from_name="Västerås stad",
        message_id="msg-1",
        extras={"kind": "link", "link": "https://example.se/r/a/b/c"},
    )


async def test_sent_items_are_read_back_newest_first_with_the_text_as_sent(tmp_path: Path) -> None:
    sink = DevSink(tmp_path / "dev-outbox.jsonl", Ticking())
    await DevEmailSender(sink).send(mail("asa@example.org"))
    await DevSmsSender(sink).send(Sms(to="+46701234567", text="Din kod är 123456"))

    newest, oldest = sink.read()
    assert newest["channel"] == "sms"
    assert (newest["to"], newest["body"]) == ("+46701234567", "Din kod är 123456")
    assert oldest["channel"] == "email"
    assert oldest["subject"] == "Säkert meddelande från Västerås stad"
    assert oldest["headers"] == {"X-Sigill-Message": "msg-1"}
    assert oldest["link"] == "https://example.se/r/a/b/c"
    assert oldest["sent_at"] < newest["sent_at"]
    # The body is the plain-text part of the very mail SMTP would carry.
    assert oldest["body"] == plain_text(compose(mail("asa@example.org"), "x@example.se", T0))


async def test_the_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "dev-outbox.jsonl"
    path.write_text("")
    path.chmod(0o644)  # a file left behind with looser rights is tightened on the next send
    await DevSmsSender(DevSink(path, Ticking())).send(Sms(to="+46701234567", text="kod"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_to_filters_by_recipient_ignoring_case(tmp_path: Path) -> None:
    sink = DevSink(tmp_path / "dev-outbox.jsonl", Ticking())
    for to in ("a@example.org", "B@example.org", "a@example.org"):
        await DevEmailSender(sink).send(mail(to))
    assert [i["to"] for i in sink.read(to="A@EXAMPLE.ORG")] == ["a@example.org", "a@example.org"]
    assert [i["to"] for i in sink.read(to="b@example.org")] == ["B@example.org"]
    assert sink.read(to="c@example.org") == []


def test_a_missing_file_is_an_empty_outbox_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "dev-outbox.jsonl"
    assert DevSink(path, Ticking()).read() == []
    path.write_text('{"channel": "sms", "to": "+4670", "body": "x"}\n{"channel": "em')
    assert [i["to"] for i in DevSink(path, Ticking()).read()] == ["+4670"]


def _append_many(path: str, writer: int) -> None:
    sink = DevSink(Path(path), lambda: T0)
    for n in range(200):
        sink.append({"channel": "sms", "to": f"+46{writer}", "body": f"{n} " + "x" * 5000})


def test_processes_writing_at_once_never_tear_each_others_lines(tmp_path: Path) -> None:
    path = tmp_path / "dev-outbox.jsonl"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_append_many, args=(str(path), w)) for w in range(3)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    items = DevSink(path, lambda: T0).read()
    assert len(items) == 600
    assert sum(1 for line in path.read_text().splitlines() if line) == 600
