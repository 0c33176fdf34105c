"""The three simulators together: their routes under one prefix, and what is pending across them.

`approve_person` approves a BankID order or Freja eID transaction as a person with that personal number (the
oldest pending one, or the one named by `reference`); `approve_email` completes a SITHS sign-in with that e-mail
claim. The /dev/eid page and `POST /dev/eid/approve` are built on these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aiohttp import web

from identity.simulators.bankid import BankIdSimulator
from identity.simulators.common import NoSuchPending, PendingIdentification
from identity.simulators.freja import FrejaSimulator
from identity.simulators.oidc import OidcSimulator
from identity.simulators.persons import person_with_number

BANKID_PATH: Final = "/bankid/rp/v6.0"
FREJA_PATH: Final = "/freja"
OIDC_PATH: Final = "/oidc"


@dataclass
class Simulators:
    bankid: BankIdSimulator
    freja: FrejaSimulator
    oidc: OidcSimulator

    def add_routes(self, app: web.Application, prefix: str) -> None:
        """Serve every simulator under `prefix`: `{prefix}/bankid/rp/v6.0`, `{prefix}/freja`, `{prefix}/oidc`."""
        self.bankid.add_routes(app, prefix + BANKID_PATH)
        self.freja.add_routes(app, prefix + FREJA_PATH)
        self.oidc.add_routes(app, prefix + OIDC_PATH)

    def pending(self) -> list[PendingIdentification]:
        """Everything waiting for a person, oldest first."""
        waiting = [*self.bankid.pending(), *self.freja.pending(), *self.oidc.pending()]
        return sorted(waiting, key=lambda item: item.started_at)

    def approve_person(self, personal_number: str, reference: str = "") -> PendingIdentification:
        """Approve a BankID or Freja eID identification as this person; raises NoSuchPending or InvalidPersonalNumber."""
        person = person_with_number(personal_number)
        target = self._target(("bankid", "freja"), reference)
        if target.method == "bankid":
            self.bankid.approve(target.reference, person)
        else:
            self.freja.approve(target.reference, person)
        return target

    def approve_email(self, email: str, reference: str = "", acr: str = "") -> PendingIdentification:
        """Complete a SITHS sign-in with this e-mail claim (and, for tests, another level than asked for)."""
        target = self._target(("siths",), reference)
        self.oidc.approve(target.reference, email, acr or None)
        return target

    def decline(self, reference: str) -> PendingIdentification:
        """Decline as the person would (BankID userCancel, Freja CANCELED, SITHS access_denied)."""
        target = self._target(("bankid", "freja", "siths"), reference)
        if target.method == "bankid":
            self.bankid.decline(target.reference)
        elif target.method == "freja":
            self.freja.decline(target.reference)
        else:
            self.oidc.decline(target.reference)
        return target

    def _target(self, methods: tuple[str, ...], reference: str) -> PendingIdentification:
        for item in self.pending():
            if item.method in methods and (not reference or item.reference == reference):
                return item
        raise NoSuchPending(reference)
