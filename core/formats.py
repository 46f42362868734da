"""Swedish number formats and ids read from requests: one place for both."""

import re
from decimal import Decimal

_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_id(raw, *, max_digits: int = 12) -> int | None:
    """A positive whole number from a query or form value, or None.

    str.isdigit() alone accepts '²' and any length, which int() then refuses.
    """
    text = str(raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


def format_swedish_number(value) -> str:
    """1234.50 → '1 234,5': the form shows numbers the way the user writes them."""
    if value in (None, ""):
        return ""
    number = Decimal(value).normalize()
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _dot, decimals = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + " ".join(groups)
    return f"{result},{decimals}" if decimals else result
