from datetime import date
from decimal import Decimal

import pytest

from mora.agreements.domain.words import amount_in_words, date_in_words, integer_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.50", "CERO 50/100 BOLIVIANOS"),
        ("1", "UN 00/100 BOLIVIANOS"),
        ("21", "VEINTIÚN 00/100 BOLIVIANOS"),
        ("31.05", "TREINTA Y UN 05/100 BOLIVIANOS"),
        ("100", "CIEN 00/100 BOLIVIANOS"),
        ("101", "CIENTO UN 00/100 BOLIVIANOS"),
        ("1000", "UN MIL 00/100 BOLIVIANOS"),
        ("1234.50", "UN MIL DOSCIENTOS TREINTA Y CUATRO 50/100 BOLIVIANOS"),
        ("1999.99", "UN MIL NOVECIENTOS NOVENTA Y NUEVE 99/100 BOLIVIANOS"),
        ("2000", "DOS MIL 00/100 BOLIVIANOS"),
        ("21000", "VEINTIÚN MIL 00/100 BOLIVIANOS"),
        ("121000", "CIENTO VEINTIÚN MIL 00/100 BOLIVIANOS"),
        ("1000000", "UN MILLÓN 00/100 BOLIVIANOS"),
        ("1001000", "UN MILLÓN UN MIL 00/100 BOLIVIANOS"),
        ("2000000.10", "DOS MILLONES 10/100 BOLIVIANOS"),
        ("2000001", "DOS MILLONES UN 00/100 BOLIVIANOS"),
    ],
)
def test_amount_in_words_bolivian_legal_style(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_cents_are_rounded_half_up_first():
    assert amount_in_words(Decimal("10.005")) == "DIEZ 01/100 BOLIVIANOS"


def test_inside_a_number_uno_is_kept_only_where_no_noun_follows():
    assert integer_in_words(1) == "un"
    assert integer_in_words(1021) == "un mil veintiún"


def test_negative_amounts_and_floats_are_refused():
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))
    with pytest.raises(TypeError):
        amount_in_words(1.5)


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2026, 12, 4), "4 de diciembre de 2026"),
        (date(2027, 1, 1), "1 de enero de 2027"),
        (date(2026, 9, 30), "30 de septiembre de 2026"),
    ],
)
def test_date_in_words(day, words):
    assert date_in_words(day) == words
