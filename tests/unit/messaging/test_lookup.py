"""The lookup's rules that need no store: who may ask, what is refused before anything is read, the methods."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from messaging.errors import Forbidden, InvalidRequest
from messaging.lookup import describe_recipients, method_options
from messaging.model import Actor
from messaging.policy import METHOD_LOA, METHOD_NEEDS, METHODS
from messaging.ports import Deps, Limits


class _NothingMayBeRead:
    """A store that fails the test if the lookup reads anything."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the store was used ({name}) by a lookup that should have been refused")


def _deps() -> Deps:
    none: Any = None
    return Deps(
        store=_NothingMayBeRead(),  # type: ignore[arg-type]
        blobs=none,
        envelope=none,
        lookup=none,
        clock=lambda: datetime(2026, 11, 25, tzinfo=UTC),
        new_id=lambda: "id",
        new_token=lambda: "token",
        base_url="http://127.0.0.1:8080",
        limits=Limits(max_recipients=3),
    )


STAFF = Actor(org_id="org", user_id="u1", email="anna.andersson@vasteras.example", name="Anna", loa=2)


@pytest.mark.parametrize("kind", ["recipient", "operator"])
async def test_only_staff_may_look_up(kind: str) -> None:
    actor = Actor(org_id="org", user_id="u2", email="jan@example.org", name="Jan", loa=3, kind=kind)  # type: ignore[arg-type]
    with pytest.raises(Forbidden) as refused:
        await describe_recipients(_deps(), actor, ["kund@example.org"], 1)
    assert refused.value.code == "staff_only"


@pytest.mark.parametrize(
    ("addresses", "loa", "code", "pointer"),
    [
        (["kund@example.org"], 0, "loa_invalid", "#/loa"),
        (["kund@example.org"], 4, "loa_invalid", "#/loa"),
        ([], 1, "addresses_missing", "#/addresses"),
        (
            ["a@example.org", "b@example.org", "c@example.org", "d@example.org"],
            1,
            "too_many_addresses",
            "#/addresses",
        ),
        (
            ["a@example.org", "b@example.org", "inte-en-adress"],
            1,
            "recipient_address_invalid",
            "#/addresses/2",
        ),
        (["a@example.org", "två @example.org"], 1, "recipient_address_invalid", "#/addresses/1"),
    ],
)
async def test_bad_input_is_refused_before_anything_is_read(
    addresses: list[str], loa: int, code: str, pointer: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        await describe_recipients(_deps(), STAFF, addresses, loa)
    assert (refused.value.code, refused.value.extra["pointer"]) == (code, pointer)
    assert "@" not in refused.value.message_sv  # the Swedish title never repeats an address


@pytest.mark.parametrize("loa", [1, 2, 3])
def test_the_options_are_the_policys_methods_that_reach_the_level(loa: int) -> None:
    options = method_options(loa)
    assert {o.method for o in options} == {m for m in METHODS if METHOD_LOA[m] >= loa}
    assert [o.loa for o in options] == sorted(o.loa for o in options)  # weakest first
    for option in options:
        assert (option.loa, option.needs) == (METHOD_LOA[option.method], METHOD_NEEDS[option.method])
    assert [o.method for o in options if o.default] == (["email"] if loa == 1 else [])
