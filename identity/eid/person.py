"""The person an e-identification names."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from identity.contact import normalize_personal_number
from identity.errors import InvalidPersonalNumber


@dataclass(frozen=True, slots=True)
class IdentifiedPerson:
    """Who the provider says identified. The personal number is kept out of `repr`, so it never lands in a log."""

    personal_number: str = field(repr=False)
    name: str

    def is_person(self, personal_number: str) -> bool:
        """Whether this is the person with `personal_number` (any accepted form; an invalid one never matches)."""
        try:
            expected = normalize_personal_number(personal_number)
        except InvalidPersonalNumber:
            return False
        return hmac.compare_digest(self.personal_number.encode(), expected.encode())
