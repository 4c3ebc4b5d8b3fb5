"""Amounts and dates in words, as Bolivian contracts write them."""

from datetime import date
from decimal import Decimal

from num2words import num2words

from mora.core.money import to_money

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
# Nouns (or the currency) that may follow a number: before them "uno" is shortened to "un".
_COUNTED = {"mil", "millón", "millones", "billón", "billones"}
_LARGE = {"millón", "millones", "billón", "billones"}


def amount_in_words(amount: Decimal) -> str:
    """`Decimal("1234.50")` -> `UN MIL DOSCIENTOS TREINTA Y CUATRO 50/100 BOLIVIANOS`."""
    value = to_money(amount)
    if value < 0:
        raise ValueError("No se escriben en letras importes negativos.")
    integer = int(value)
    cents = int((value - integer) * 100)
    return f"{integer_in_words(integer).upper()} {cents:02d}/100 BOLIVIANOS"


def integer_in_words(number: int) -> str:
    """num2words' Spanish, adjusted to the legal style: "un mil" rather than a bare "mil", and
    "un"/"veintiún" rather than "uno"/"veintiuno" before a noun (mil, millones, bolivianos).
    num2words writes "veintiuno mil" for 21000, which is simply wrong."""
    words = num2words(number, lang="es").split()
    result: list[str] = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else "bolivianos"
        if following in _COUNTED or following == "bolivianos":
            word = _apocope(word)
        if word == "mil" and (not result or result[-1] in _LARGE):
            result.append("un")
        result.append(word)
    return " ".join(result)


def _apocope(word: str) -> str:
    if word == "uno":
        return "un"
    if word == "veintiuno":
        return "veintiún"
    return word


def date_in_words(day: date) -> str:
    """`date(2026, 12, 4)` -> `4 de diciembre de 2026`."""
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"
