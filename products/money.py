"""Euro amounts the German way: entered as "1.234,56" or "1234,5", shown as "1.234,56 €".

The portal shows prices like this in either UI language: the provider and its
resellers price in euros, and their customers read German prices.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_AMOUNT = Decimal("9999999.99")
# Optional thousands dots in groups of three, an optional comma with decimals; ASCII digits only.
GERMAN_AMOUNT = re.compile(r"(?P<euros>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,(?P<cents>[0-9]+))?")
SPACES = (" ", "\u00a0", "\u202f")


def parse_eur(text: str) -> Decimal:
    """The amount in ``text``; a ``ValidationError`` that says what is wrong otherwise."""
    value = (text or "").strip().removesuffix("€").removesuffix("EUR").strip()
    for space in SPACES:
        value = value.replace(space, "")
    if value.startswith(("-", "−")):
        raise ValidationError(_("The price cannot be negative."), code="negative")
    match = GERMAN_AMOUNT.fullmatch(value)
    if match is None:
        raise ValidationError(_("Enter the price in euros like 1.234,56."), code="invalid")
    cents = match.group("cents") or ""
    if len(cents) > 2:
        raise ValidationError(_("A price has at most two decimal places (cents)."), code="max_decimal_places")
    amount = Decimal(match.group("euros").replace(".", "") + "." + (cents or "0")).quantize(Decimal("0.01"))
    if amount > MAX_AMOUNT:
        raise ValidationError(
            _("The price can be at most %(max)s."), code="max_value", params={"max": format_eur(MAX_AMOUNT)}
        )
    return amount


def format_amount(value: Decimal) -> str:
    """``Decimal("1234.5")`` → ``"1.234,50"``."""
    return f"{Decimal(value):,.2f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_eur(value: Decimal | None) -> str:
    """``Decimal("1234.56")`` → ``"1.234,56 €"``."""
    if value is None:
        return ""
    return f"{format_amount(value)} €"
