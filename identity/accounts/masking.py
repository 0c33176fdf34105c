"""How a phone number is shown to its holder: enough to recognise it, not enough to learn it."""

from __future__ import annotations

import phonenumbers


def masked_phone(e164: str) -> str:
    """`+46701234567` → `+46 70 *** ** 67`: the country code, the first two digits and the last two."""
    try:
        number = phonenumbers.parse(e164, None)
        country = f"+{number.country_code}"
        national = str(number.national_number)
    except phonenumbers.NumberParseException:
        return "***"
    if len(national) < 6:
        return f"{country} ***"
    return f"{country} {national[:2]} *** ** {national[-2:]}"
