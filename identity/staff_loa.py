"""The level of assurance of a staff sign-in, read from the token's authentication claims.

Microsoft Entra ID says how a person signed in through two claims of the access token:

- `acrs`: the Conditional Access authentication contexts the sign-in satisfied (ids `c1` ... `c99`). An
  organisation binds a context to a Conditional Access policy, for example "phishing-resistant MFA" or
  "certificate-based authentication with SITHS"; a client asks for it with a claims challenge.
- `amr`: the authentication methods used (`pwd`, `mfa`, `rsa`, `fido`, ...), when the tenant emits it.

The rules, in order (the first that matches decides):

1. LoA3 when `acrs` holds one of `loa3_auth_contexts`, or `amr` holds one of `loa3_amr`;
2. LoA1 when `amr` is present and holds nothing but `loa1_amr` methods (by default a password alone);
3. otherwise the organisation's plain sign-in: `plain_loa` (LoA2, since the organisation's Conditional Access
   asks for MFA at every sign-in).

Authentication context ids are per tenant: every tenant on the allow-list binds the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

# A password and nothing else: single-factor, below what the organisation's plain sign-in requires.
DEFAULT_LOA1_AMR: Final = frozenset({"pwd"})
# What a sign-in with MFA looks like in `amr`; minted by the development issuer for the plain level.
_MFA_AMR: Final = ("pwd", "mfa")


@dataclass(frozen=True, slots=True)
class LoaRules:
    """Which authentication claims count as which level; see the module docstring."""

    loa3_auth_contexts: tuple[str, ...] = ()
    loa3_amr: frozenset[str] = frozenset()
    loa1_amr: frozenset[str] = DEFAULT_LOA1_AMR
    plain_loa: int = 2

    def __post_init__(self) -> None:
        if self.plain_loa not in (1, 2):
            raise ValueError("the plain sign-in counts as LoA1 or LoA2; LoA3 needs a rule")

    def level(self, claims: Mapping[str, Any]) -> int:
        """The level the token's `acrs` and `amr` claims reach."""
        contexts = _strings(claims.get("acrs"))
        methods = _strings(claims.get("amr"))
        if contexts & set(self.loa3_auth_contexts) or methods & self.loa3_amr:
            return 3
        if methods and methods <= self.loa1_amr:
            return 1
        return self.plain_loa

    def auth_contexts_for(self, loa: int) -> tuple[str, ...]:
        """The authentication contexts a client asks for to reach `loa` (none when the plain sign-in does)."""
        return self.loa3_auth_contexts if loa == 3 else ()

    def claims_for(self, loa: int) -> dict[str, list[str]] | None:
        """Authentication claims that these rules map to `loa`, or None when no claims can reach it.

        The development issuer mints with these, so a development token at a level is a token an Entra tenant
        with these rules would issue.
        """
        candidates: list[dict[str, list[str]]] = [
            *({"acrs": [context]} for context in self.loa3_auth_contexts),
            *({"amr": [method]} for method in sorted(self.loa3_amr)),
            *({"amr": [method]} for method in sorted(self.loa1_amr)),
            {"amr": list(_MFA_AMR)},
            {},
        ]
        return next((claims for claims in candidates if self.level(claims) == loa), None)


def _strings(value: Any) -> set[str]:
    """The strings of a list claim; anything else counts as absent (never as a match)."""
    if not isinstance(value, list):
        return set()
    return {item for item in value if isinstance(item, str)}


def rules_from(
    *,
    loa3_auth_contexts: Iterable[str] = (),
    loa3_amr: Iterable[str] = (),
    loa1_amr: Iterable[str] = DEFAULT_LOA1_AMR,
    plain_loa: int = 2,
) -> LoaRules:
    """Rules from configuration values (lists as they come from TOML)."""
    return LoaRules(
        loa3_auth_contexts=tuple(dict.fromkeys(loa3_auth_contexts)),
        loa3_amr=frozenset(loa3_amr),
        loa1_amr=frozenset(loa1_amr),
        plain_loa=plain_loa,
    )
