"""A link's token never reaches a log line."""

from __future__ import annotations

import pytest

from portal.paths import loggable_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/r/org1/del1/SeCrEtToKeN", "/r/org1/del1/***"),
        ("/r/org1/del1/SeCrEtToKeN/bilagor/a1", "/r/org1/del1/***/bilagor/a1"),
        ("/r/siths/tillbaka", "/r/siths/tillbaka"),
        ("/r/org1/del1", "/r/org1/del1"),
        ("/api/v1/messages/m1", "/api/v1/messages/m1"),
    ],
)
def test_the_token_of_a_link_is_masked(path: str, logged: str) -> None:
    assert loggable_path(path) == logged
