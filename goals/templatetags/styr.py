"""Template filters: numbers the Swedish way, the same on every page and in every form."""

from decimal import Decimal, InvalidOperation

from django import template

from goals.forms import format_swedish_number

register = template.Library()


@register.filter
def sv_number(value, decimals: int = 2) -> str:
    """85.50 → '85,5'; 1234 → '1 234' (no-break space, so a number never wraps)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(decimals)))
    except (InvalidOperation, ValueError):
        return str(value)
    return format_swedish_number(number).replace(" ", "\u00a0")
