"""`sigill bench links` opens real links against its own server and prints one JSON line of figures."""

from __future__ import annotations

import json
import subprocess
import sys

FIGURES = (
    "loa1_opens_per_s",
    "loa1_p50_ms",
    "loa1_p99_ms",
    "loa2_opens_per_s",
    "loa2_p50_ms",
    "loa2_p99_ms",
    "healthz_requests_per_s",
    "healthz_p99_ms",
)


def test_the_link_benchmark_prints_opens_per_second_beside_healthz() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sigill", "bench", "links", "--opens", "4", "--clients", "2"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert result["bench"] == "links"
    assert (result["opens"], result["clients"]) == (4, 2)
    for figure in FIGURES:
        assert result[figure] > 0, figure
    assert result["loa1_p50_ms"] <= result["loa1_p99_ms"]
    assert result["loa2_p50_ms"] <= result["loa2_p99_ms"]
    # An LoA2 open includes the wait for the SMS that carries its code.
    assert result["loa2_p50_ms"] >= result["loa2_sms_wait_p50_ms"] > 0
