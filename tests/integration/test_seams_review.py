"""The seams as an outside reviewer tries them: over HTTP and from the command line, against a running server."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from sigill import cli
from tests.integration.harness import ANNA, BERTIL, SOCIAL, Server


async def test_reading_opens_the_delivery_to_the_reader_not_to_her_function_mailbox(server: Server) -> None:
    # Bertil gets the message himself and as a member of Socialtjänsten: his read opens his own delivery,
    # and the mailbox's stays unopened for the colleague who handles it. Several messages, since the store
    # returns a message's deliveries in no promised order.
    for _ in range(4):
        sent = await server.send(ANNA, recipients=[{"address": SOCIAL}, {"address": BERTIL}], loa=2)
        assert sent.status == 201, sent.body
        message_id = sent.body["id"]

        read = await server.get(f"/messages/{message_id}", BERTIL)
        assert read.status == 200, read.body
        assert [(d["address"], d["status"]) for d in read.body["deliveries"]] == [(BERTIL, "opened")]

        seen_by_sender = await server.get(f"/messages/{message_id}", ANNA)
        statuses = {d["address"]: d["status"] for d in seen_by_sender.body["deliveries"]}
        assert statuses == {BERTIL: "opened", SOCIAL: "unopened"}


def _sigill(*args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIGILL_")}
    return subprocess.run(
        [sys.executable, "-m", "sigill", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serving_on_port_zero_is_refused_in_one_line(tmp_path: Path) -> None:
    # Port 0 would listen somewhere unknown while the banner, its token hints and the tokens name port 0.
    result = _sigill("serve", "--port", "0", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("sigill: configuration error: port:")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "data").exists()


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def _every_command(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [words]
    for name, sub in _subcommands(parser).items():
        found += _every_command(sub, (*words, name))
    return found


def test_every_help_lists_its_commands_and_explains_every_argument() -> None:
    commands = _every_command(cli.build_parser())
    assert ("dev", "token") in commands and ("mailbox", "add-member") in commands
    for words in commands:
        result = _sigill(*words, "--help")
        assert result.returncode == 0, (words, result.stderr)
        parser = cli.build_parser()
        for word in words:
            parser = _subcommands(parser)[word]
        for name in _subcommands(parser):
            assert f"    {name}" in result.stdout, (words, name)
        unexplained = [
            action.dest
            for action in parser._actions
            if not isinstance(action, argparse._SubParsersAction) and not action.help
        ]
        assert unexplained == [], (words, unexplained)


def test_dev_token_help_says_the_port_is_the_running_servers() -> None:
    text = " ".join(_sigill("dev", "token", "--help").stdout.split())
    assert "port of the running server the token is for" in text
    assert "listen" not in text


def test_dev_token_for_a_data_directory_no_server_uses_is_refused(tmp_path: Path) -> None:
    # Forgetting --data-dir used to make a whole new installation there and print a token no server accepts.
    elsewhere = tmp_path / "not the server's"
    result = _sigill("dev", "token", ANNA, "--data-dir", str(elsewhere))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"sigill: no server has run with the data directory {elsewhere}; "
        "pass the --data-dir (and --port) of the running server\n"
    )
    assert not elsewhere.exists()
