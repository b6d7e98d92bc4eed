from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from products.money import format_eur, parse_eur


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.234,56", "1234.56"),
        ("1234,5", "1234.50"),
        ("1234", "1234.00"),
        ("0", "0.00"),
        ("0,99", "0.99"),
        ("1.234", "1234.00"),  # a German thousands dot
        ("  12,00 € ", "12.00"),
        ("1 234,56", "1234.56"),
        ("9.999.999,99", "9999999.99"),
    ],
)
def test_german_input_is_understood(typed, amount):
    assert parse_eur(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "The price cannot be negative."),
        ("−1,00", "The price cannot be negative."),
        ("1e9", "Enter the price in euros like 1.234,56."),
        ("0,001", "A price has at most two decimal places (cents)."),
        ("12.34", "Enter the price in euros like 1.234,56."),  # English notation is not guessed at
        ("1,234.56", "Enter the price in euros like 1.234,56."),
        ("1.23.456", "Enter the price in euros like 1.234,56."),
        ("zwölf", "Enter the price in euros like 1.234,56."),
        ("١٢", "Enter the price in euros like 1.234,56."),  # non-ASCII digits
        ("NaN", "Enter the price in euros like 1.234,56."),
        ("10.000.000,00", "The price can be at most 9.999.999,99 €."),
    ],
)
def test_bad_input_gets_a_clear_message(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_eur(typed)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("1234.56", "1.234,56 €"), ("0", "0,00 €"), ("1234567.8", "1.234.567,80 €"), ("4.9", "4,90 €")],
)
def test_amounts_are_shown_the_german_way(amount, shown):
    assert format_eur(Decimal(amount)) == shown
