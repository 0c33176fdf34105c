"""One definition of the identification methods, and one canonical form of an address.

Two of these tests read the source: "defined once" and "normalised by one function" are
properties of the code, and the way they break is someone writing a second definition.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

from addin_backend import schemas
from identity.addresses import canonical_address
from messaging.errors import InvalidRequest
from messaging.levels import METHOD_LABELS
from messaging.model import NewMessage, RecipientInput
from messaging.policy import METHOD_LOA, METHOD_NAMES_SV, METHOD_NEEDS, METHODS
from messaging.ports import Limits
from messaging.validation import check_message
from store.records import IdentificationMethod

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("addin_backend", "bot", "crypto", "identity", "messaging", "notify", "portal", "sigill", "store")
# Names that say an expression holds an e-mail address.
ADDRESS_WORDS = ("address", "email", "mailbox", "sender", "recipient")


def _sources() -> list[tuple[str, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found.append((str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))))
    return found


def test_the_methods_are_the_records_definition() -> None:
    assert get_args(IdentificationMethod) == METHODS
    assert set(METHOD_LOA) == set(METHODS)
    assert set(METHOD_NAMES_SV) == set(METHODS)
    assert set(METHOD_NEEDS) == set(METHODS)
    assert set(METHOD_LABELS) == set(METHODS)


def test_no_second_list_of_method_names_exists_in_the_code() -> None:
    spelled_out = []
    for name, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Literal"
            ):
                words = {n.value for n in ast.walk(node.slice) if isinstance(n, ast.Constant)}
                if words & set(METHODS) and name != "store/records.py":
                    spelled_out.append(f"{name}:{node.lineno}")
    assert spelled_out == []


def test_the_api_accepts_exactly_the_domains_methods() -> None:
    schema = schemas.RecipientIn.model_json_schema()["properties"]["method"]
    [enum] = [option["enum"] for option in schema["anyOf"] if "enum" in option]
    assert tuple(enum) == METHODS


def test_an_unknown_method_is_refused_naming_every_known_one() -> None:
    new = NewMessage([RecipientInput("x@example.org", method="fax")], "Ämne", "Text", 1, False)
    with pytest.raises(InvalidRequest) as refused:
        check_message(new, Limits())
    assert refused.value.code == "method_invalid"
    for method in METHODS:
        assert method in refused.value.detail
        assert METHOD_NAMES_SV[method] in refused.value.message_sv


def test_an_address_has_one_canonical_form() -> None:
    assert canonical_address("  Anna.Andersson@Vasteras.EXAMPLE\t") == "anna.andersson@vasteras.example"
    assert canonical_address("ÅSA@ÖREBRO.SE") == "åsa@örebro.se"


def test_addresses_are_brought_to_it_by_that_one_function() -> None:
    """No module strips and lower-cases an address itself; it calls `canonical_address`."""
    by_hand = []
    for name, tree in _sources():
        if name == "identity/addresses.py":
            continue
        for node in ast.walk(tree):
            if _is_call_of(node, "lower") and _is_call_of(node.func.value, "strip"):  # type: ignore[attr-defined]
                subject = ast.unparse(node.func.value.func.value).lower()  # type: ignore[attr-defined]
                if any(word in subject for word in ADDRESS_WORDS):
                    by_hand.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    assert by_hand == []


def _is_call_of(node: ast.AST, method: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
