"""`sigill bench teams` posts real card actions to its own server and prints one JSON line of figures."""

from __future__ import annotations

import json
import subprocess
import sys

FIGURES = (
    "card_actions_per_s",
    "card_action_p50_ms",
    "card_action_p99_ms",
    "healthz_requests_per_s",
    "healthz_p99_ms",
)


def test_the_teams_benchmark_prints_card_actions_per_second_beside_healthz() -> None:
    command = [sys.executable, "-m", "sigill", "bench", "teams", "--cases", "30", "--actions", "12"]
    done = subprocess.run(
        [*command, "--clients", "2", "--health-requests", "20"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert result["bench"] == "teams"
    assert (result["cases"], result["actions"], result["clients"], result["page"]) == (30, 12, 2, 10)
    for figure in FIGURES:
        assert result[figure] > 0, figure
    assert result["card_action_p50_ms"] <= result["card_action_p99_ms"]
    # Card actions are answered in the invoke's own response: nothing goes through the connector.
    assert result["connector_posts"] == 0
