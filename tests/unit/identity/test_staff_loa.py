"""The level of a staff sign-in, from the token's `acrs` and `amr` claims by configurable rules."""

from __future__ import annotations

from typing import Any

import pytest

from identity.staff_loa import LoaRules, rules_from

SITHS = rules_from(loa3_auth_contexts=["c1"], loa3_amr=["x509"])


@pytest.mark.parametrize(
    ("claims", "level"),
    [
        ({}, 2),
        ({"amr": ["pwd", "mfa"]}, 2),
        ({"amr": ["wia"]}, 2),
        ({"acrs": ["c1"]}, 3),
        ({"acrs": ["c2", "c1"]}, 3),
        ({"acrs": ["c2"]}, 2),
        ({"amr": ["pwd", "x509"]}, 3),
        ({"amr": ["pwd"]}, 1),
        # A claim of the wrong shape never matches a rule.
        ({"acrs": "c1"}, 2),
        ({"acrs": [1, None]}, 2),
        ({"amr": "pwd"}, 2),
    ],
)
def test_the_rules_decide_the_level(claims: dict[str, Any], level: int) -> None:
    assert SITHS.level(claims) == level


def test_nothing_reaches_loa3_without_a_rule() -> None:
    rules = LoaRules()
    assert rules.level({"acrs": ["c1"], "amr": ["pwd", "mfa", "rsa"]}) == 2
    assert rules.claims_for(3) is None
    assert rules.auth_contexts_for(3) == ()


def test_an_organisation_without_mfa_counts_its_plain_sign_in_as_loa1() -> None:
    rules = rules_from(plain_loa=1, loa3_auth_contexts=["c3"])
    assert rules.level({}) == 1
    assert rules.level({"acrs": ["c3"]}) == 3
    with pytest.raises(ValueError, match="LoA3 needs a rule"):
        rules_from(plain_loa=3)


@pytest.mark.parametrize(
    "rules",
    [
        SITHS,
        rules_from(loa3_amr=["fido"]),
        rules_from(loa3_auth_contexts=["c9"], loa1_amr=["pwd", "otp"]),
        rules_from(loa3_amr=["mfa"]),
    ],
)
@pytest.mark.parametrize("level", [1, 2, 3])
def test_claims_for_a_level_are_claims_the_rules_map_back_to_it(rules: LoaRules, level: int) -> None:
    claims = rules.claims_for(level)
    assert claims is not None
    assert rules.level(claims) == level


def test_a_step_up_asks_for_the_contexts_bound_to_loa3() -> None:
    rules = rules_from(loa3_auth_contexts=["c4", "c1", "c4"])
    assert rules.auth_contexts_for(3) == ("c4", "c1")
    assert rules.auth_contexts_for(2) == ()
    assert rules.claims_for(3) == {"acrs": ["c4"]}
