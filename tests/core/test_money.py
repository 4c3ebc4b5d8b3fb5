from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mora.core.money import AmountError, format_bs, parse_amount, to_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,50", "1234.50"),
        ("1234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("Bs 1.234,50", "1234.50"),
        ("1.234.567", "1234567.00"),
        ("12", "12.00"),
        ("0,5", "0.50"),
        ("-15,25", "-15.25"),
    ],
)
def test_parse_amount_reads_bolivian_and_plain_formats(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12,34,56", "1.23.4", "1..2", "12a,50", "--1"])
def test_parse_amount_rejects_what_is_not_money(text):
    with pytest.raises(AmountError):
        parse_amount(text)


def test_format_bs_uses_bolivian_separators():
    assert format_bs(Decimal("1234.5")) == "Bs 1.234,50"
    assert format_bs(Decimal("0")) == "Bs 0,00"
    assert format_bs(Decimal("-1234567.891")) == "Bs -1.234.567,89"
    assert format_bs(Decimal("12"), symbol=False) == "12,00"


def test_money_refuses_float():
    with pytest.raises(TypeError):
        to_money(1.5)


@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2))
def test_format_then_parse_is_identity(amount):
    assert parse_amount(format_bs(amount)) == amount
