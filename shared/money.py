"""Money on the wire: integers in a currency's minor unit, named by ISO 4217 code."""

from collections.abc import Mapping

# ISO 4217 minor-unit exponents of the currencies we accept. Amounts are whole
# minor units (cents for EUR), so a price is never a float and never rounds.
MINOR_UNITS: Mapping[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "CAD": 2,
    "AUD": 2,
    "BRL": 2,
    "INR": 2,
    "JPY": 0,
    "KRW": 0,
    "BHD": 3,
    "KWD": 3,
}


def format_amount(amount: int, currency: str) -> str:
    """`12345, "EUR"` -> `"123.45 EUR"`: for people reading a message, never for parsing."""
    exponent = MINOR_UNITS[currency]
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**exponent)
    text = f"{whole}.{fraction:0{exponent}d}" if exponent else str(whole)
    return f"{sign}{text} {currency}"
