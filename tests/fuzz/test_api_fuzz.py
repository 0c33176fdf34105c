"""schemathesis against the live OpenAPI document, with real tokens and ids that exist.

`make test` runs a short, seeded pass (a fixed budget, well under a minute on two cores); `make fuzz` runs the
same with SIGILL_FUZZ=long: many more cases per operation. Either way: no 5xx, no status code the document does
not list, a conforming content type and body, and `Allow` on every 405 (schemathesis' `--checks all`, less
`positive_data_acceptance`: schema-valid data may still break a business rule, such as a recipient's address
or a personal number's check digit, and is then rightly refused with 422).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.integration.harness import (
    ANNA,
    BERTIL,
    CECILIA,
    SOCIAL,
    Server,
    free_port,
    server_settings,
    started,
)

SEED = 20261125
BUDGETS = {
    # cases per operation and phase, overall time cap in seconds
    "short": {"max_examples": 15, "max_time": 35},
    "long": {"max_examples": 400, "max_time": 1800},
}


async def _setup(server: Server) -> dict[str, str]:
    """Data for every path parameter: a message ANNA received (with an attachment and a case in the function
    mailbox), a message ANNA sent (with a delivery to recall), a mailbox and a member to administer."""
    form = aiohttp.FormData()
    received = {
        "recipients": [{"address": ANNA}, {"address": SOCIAL}],
        "subject": "Att läsa",
        "body": "Med bilaga.",
        "loa": 1,
        "reply_allowed": True,
    }
    form.add_field("message", json.dumps(received), content_type="application/json")
    form.add_field("attachment", b"%PDF-1.7 fuzz", filename="intyg.pdf", content_type="application/pdf")
    inbound = await server.post("/messages", BERTIL, data=form)
    assert inbound.status == 201, inbound.body
    message_id = inbound.body["id"]
    opened = await server.get(f"/messages/{message_id}", ANNA)
    social = await server.get(f"/mailboxes/{SOCIAL}/inbox", ANNA, params={"limit": "100"})
    case_id = next(i for i in social.body["items"] if i["message_id"] == message_id)["case"]["id"]
    outbound = await server.send(ANNA, recipients=[{"address": "kund@example.org"}, {"address": BERTIL}])
    assert outbound.status == 201, outbound.body
    return {
        "message_id": message_id,
        "attachment_id": opened.body["attachments"][0]["id"],
        "case_id": case_id,
        "sent_id": outbound.body["id"],
        "delivery_id": outbound.body["deliveries"][0]["id"],
    }


def _config(ids: dict[str, str]) -> str:
    """schemathesis.toml: real ids most of the time, generated ones now and then (so 404 paths stay fuzzed)."""

    def values(*items: str) -> str:
        return json.dumps(list(items), ensure_ascii=False)

    dictionaries = {
        "received": values(ids["message_id"]),
        "sent": values(ids["sent_id"]),
        "attachment": values(ids["attachment_id"]),
        "delivery": values(ids["delivery_id"]),
        "case": values(ids["case_id"]),
        "function_mailbox": values(SOCIAL),
        "own_mailbox": values(ANNA, SOCIAL),
        "member": values(CECILIA),
    }
    lines = [f"[dictionaries.{name}]\nvalues = {items}\n" for name, items in dictionaries.items()]
    # Refusing schema-violating data with 413 (too large) or 408 (too slow) is a refusal too.
    lines.append(
        "[checks.negative_data_rejection]\nexpected-statuses = "
        + values(*(str(s) for s in (400, 401, 403, 404, 405, 406, 408, 409, 413, 415, 422, 428, 429)))
        + "\n"
    )

    def operation(operation_id: str, **params: str) -> str:
        bound = ", ".join(
            f'"path.{p}" = {{ dictionary = "{d}", probability = 0.9 }}' for p, d in params.items()
        )
        return f'[[operations]]\ninclude-operation-id = "{operation_id}"\nparameters = {{ {bound} }}\n'

    lines += [
        operation("openMessage", message_id="received"),
        operation("downloadAttachment", message_id="received", attachment_id="attachment"),
        operation("replyToMessage", message_id="received"),
        operation("recallDelivery", message_id="sent", delivery_id="delivery"),
        operation("listFolder", address="own_mailbox"),
        operation("actOnCase", address="function_mailbox", case_id="case"),
        operation("deleteCase", address="function_mailbox", case_id="case"),
        operation("listMailboxMembers", address="function_mailbox"),
        operation("addMailboxMember", address="function_mailbox"),
        operation("removeMailboxMember", address="function_mailbox", email="member"),
    ]
    return "\n".join(lines)


async def _schemathesis(server: Server, workdir: Path, budget: dict[str, int]) -> tuple[int, str]:
    ids = await _setup(server)
    config = workdir / "schemathesis.toml"
    config.write_text(_config(ids), encoding="utf-8")
    executable = Path(sys.executable).with_name("schemathesis")
    process = await asyncio.create_subprocess_exec(
        str(executable),
        "--config-file",
        str(config),
        "run",
        f"{server.base}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {await server.token(ANNA)}",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--seed",
        str(SEED),
        "--max-examples",
        str(budget["max_examples"]),
        "--max-time",
        str(budget["max_time"]),
        "--workers",
        "2",
        "--generation-database",
        "none",
        "--request-timeout",
        "20",
        "--no-color",
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"},
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


BUDGET = BUDGETS[os.environ.get("SIGILL_FUZZ", "short")]


@pytest.mark.timeout(BUDGET["max_time"] + 120)
async def test_the_api_survives_schemathesis(tmp_path: Path) -> None:
    budget = BUDGET
    settings = server_settings("sqlite", tmp_path / "data", free_port())
    workdir = tmp_path / "fuzz"
    workdir.mkdir()
    async with started(settings) as running:
        code, output = await _schemathesis(running, workdir, budget)
        summary: Any = output
        assert code == 0, summary
        assert "passed" in output and "Seed: " in output, summary
        # The run ended with the server still answering.
        assert (await running.get("/me", ANNA)).status == 200
