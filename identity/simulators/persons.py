"""Test persons the simulators identify: valid test personal numbers (never real people's) and e-mail addresses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from identity.addresses import canonical_address
from identity.contact import normalize_personal_number


@dataclass(frozen=True, slots=True)
class SimulatedPerson:
    personal_number: str
    given_name: str
    surname: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"


# Skatteverket's classic test numbers and a coordination number (day + 60); each passes the check digit.
SIMULATED_PERSONS: Final = (
    SimulatedPerson("191212121212", "Tolvan", "Tolvansson", "tolvan.tolvansson@skolhalsan.example"),
    SimulatedPerson("198112289874", "Karin", "Lind", "karin.lind@vardcentralen.example"),
    SimulatedPerson("198507099805", "Maja", "Berg", "maja.berg@tandvarden.example"),
    SimulatedPerson("197010632391", "Sam", "Samordnare", "sam.samordnare@socialtjansten.example"),
)


def person_with_number(personal_number: str) -> SimulatedPerson:
    """The test person with this personal number, or a stand-in for any other valid number (raises if invalid)."""
    number = normalize_personal_number(personal_number)
    for person in SIMULATED_PERSONS:
        if person.personal_number == number:
            return person
    return SimulatedPerson(number, "Test", "Testsson", "")


def person_with_email(email: str) -> SimulatedPerson:
    """The test person with this e-mail address, or a stand-in named after the address."""
    address = canonical_address(email)
    for person in SIMULATED_PERSONS:
        if person.email == address:
            return person
    local = address.partition("@")[0].replace(".", " ").title() or "Test"
    given, _, surname = local.partition(" ")
    return SimulatedPerson("", given, surname or "Testsson", address)
