"""Validation and normalisation of end-customer master data.

Every check uses ``fullmatch`` on ASCII classes: Python's ``$`` accepts a
trailing newline and ``\\d`` matches non-ASCII digits, so neither is used.
The model calls these too, so the API cannot skip what the form checks.
"""

import re
from urllib.parse import urlsplit

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

CUSTOMER_NUMBER = re.compile(r"[A-Za-z0-9_-]{1,32}")
POSTAL_CODE = {"DE": re.compile(r"[0-9]{5}"), "AT": re.compile(r"[0-9]{4}"), "CH": re.compile(r"[0-9]{4}")}
WEBSITE_MAX_LENGTH = 2000


def validate_customer_number(value: str) -> None:
    if not CUSTOMER_NUMBER.fullmatch(value or ""):
        raise ValidationError(
            _("Use up to 32 letters, digits, “-” and “_” (no spaces or other characters)."), code="invalid"
        )


def validate_postal_code(value: str, country: str) -> None:
    pattern = POSTAL_CODE.get(country)
    if pattern is not None and not pattern.fullmatch(value or ""):
        digits = 5 if country == "DE" else 4
        raise ValidationError(
            _("A postal code in this country has %(digits)d digits.") % {"digits": digits}, code="invalid"
        )


def normalize_phone(value: str, country: str) -> str:
    """The number in E.164 (``+4930123456``); national input is read in the customer's country."""
    try:
        number = phonenumbers.parse(value, country or "DE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, e.g. 030 1234567 or +49 30 1234567."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str, country: str = "DE") -> str:
    """National format for numbers of the customer's country, international for others."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL if region == country else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def normalize_website(value: str) -> str:
    """An http(s) URL: ``example.de`` becomes ``https://example.de``; anything else is refused."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > WEBSITE_MAX_LENGTH or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValidationError(_("Enter a valid web address."), code="invalid")
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced "[" or "]" reads as a broken IPv6 host
        raise ValidationError(_("Enter a valid web address."), code="invalid") from None
    if parts.scheme.lower() not in {"http", "https"} or parts.username or parts.password or not parts.hostname:
        raise ValidationError(_("Enter a valid web address."), code="invalid")
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(_("Enter a valid web address."), code="invalid") from None
    return value
