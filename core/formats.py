"""Swedish number formats and ids read from requests: one place for both."""

import datetime
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


# --- dates as text and back: the frozen record of a published follow-up stores them so --------


def iso_text(value) -> str | None:
    """A date or a moment as ISO text (None stays None)."""
    return value.isoformat() if value is not None else None


def date_from_iso(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def moment_from_iso(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None


# --- sizes and counts in messages -----------------------------------------------------------


def megabytes(size: int) -> str:
    """2 500 000 bytes → '2,5 MB'."""
    return f"{size / 1_000_000:.1f}".replace(".", ",") + " MB"


def whole_number(number: int) -> str:
    """12345 → '12 345' (a space between thousands, as Swedish text writes it)."""
    return f"{number:,}".replace(",", " ")
