"""Hostile input for the forms and the import: known payloads and the checks around them.

Used by test_hostile_input.py. Nothing here touches the database on import.
"""

import re
from functools import cache

from django.apps import apps
from django.utils import translation
from django.utils.html import escape

MB = 1024 * 1024

# Text that a form field may receive. Keys become test ids.
TEXT_PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": '"><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE goals_directiongoal; --",
    "nul": "före\x00efter",
    "bell-escape": "ljud\x07 och \x1b[31mfärg\x1b[0m",
    "1mb": "A" * MB,
    "bidi": "\u202eelbissop\u202c \u2066isolerad\u2069 \u200fRTL\u200e \u061cmark",
    "formula": '=HYPERLINK("http://x","y")',
    "template": "{{ 7*7 }} {% debug %}",
    "format": "%s%s%s %(x)s {0}",
    "emoji": "Mål 🎯 👩‍👩‍👧 ✅🇸🇪",
}

# What a number field may receive (the text payloads are posted into number fields too).
NUMBER_PAYLOADS = {
    "huge-exponent": "1e999999",
    "tiny-exponent": "1e-999999",
    "nan": "NaN",
    "snan": "sNaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "minus-zero": "-0",
    "many-digits": "1" * 60,
    "many-decimals": "0," + "1" * 60,
    "over-max-digits": "1 234 567 890 123,45",
    "two-commas": "1,2,3",
    "hex": "0x10",
    "int-max-str": "9" * 5000,
}

#: Numbers that a number field accepts, and the value it stores.
ACCEPTED_NUMBERS = {"minus-zero": 0}

SHOULD_BE_ESCAPED = ("script", "img-onerror")


def refused_by_forms(text: str) -> bool:
    """Django's form CharField refuses NUL; everything else in TEXT_PAYLOADS is text."""
    return "\x00" in text


@cache
def english_fragments() -> tuple[str, ...]:
    """Django's own English messages (forms, formsets, validators, model fields), in pieces.

    A Swedish page never contains any of them; an untranslated default message would.
    """
    from django.core import validators
    from django.db.models import fields as model_fields
    from django.db.models.fields import related as related_fields
    from django.forms import fields as form_fields
    from django.forms import formsets
    from django.forms import models as form_models

    messages: set[str] = set()
    with translation.override("en"):
        for module in (form_fields, form_models, formsets, model_fields, related_fields):
            for obj in vars(module).values():
                errors = getattr(obj, "default_error_messages", None)
                if isinstance(obj, type) and isinstance(errors, dict):
                    messages.update(_as_text(v) for v in errors.values())
        for obj in vars(validators).values():
            if isinstance(obj, type) and hasattr(obj, "message"):
                messages.add(_as_text(obj.message))
    messages |= {
        "Null characters are not allowed.",
        "This field is required.",
        "Enter a number.",
        "Enter a whole number.",
        "Enter a valid date.",
        "Select a valid choice.",
        "Ensure this value has at most",
        "Ensure that there are no more than",
        "ManagementForm data is missing or has been tampered with",
        "Please submit at most",
        "Bad Request (400)",
        "Forbidden (403)",
        "Server Error (500)",
        "CSRF verification failed",
        "Request aborted",
        "Traceback (most recent call last)",
        "invalid literal for int",
        "could not convert string",
        "constraint failed",
        "IntegrityError",
        "OperationalError",
        "object has no attribute",
        "Exceeds the limit",
        "field larger than field limit",
        "line contains NUL",
        "cannot contain NUL",
        "Line number",
        "Errors",
    }
    pieces = set()
    for message in messages:
        for piece in re.split(r"%\([a-z_]+\)[a-z]|%[a-z]|\{[a-z_]*\}", message):
            piece = piece.strip(" “”\"'.:,")
            if len(piece) >= 10 and re.search(r"[a-z]{3}", piece):
                pieces.add(piece)
    return tuple(sorted(pieces))


def _as_text(message) -> str:
    try:
        return str(message)
    except (KeyError, TypeError):  # an ngettext_lazy waiting for its number
        return str(message % {"limit_value": 2, "max": 2, "show_value": 2, "num": 2})


def english_on(html: str) -> list[str]:
    return [fragment for fragment in english_fragments() if fragment in html]


def row_counts() -> dict[str, int]:
    """Rows of every model of the project, history included: a refused request adds none."""
    counts = {}
    for label in ("goals", "reporting"):
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model._default_manager.count()
    return counts


def values_of(obj) -> dict:
    """Every concrete field of a saved row, read afresh."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def shown_escaped(html: str, text: str) -> bool:
    """The text is on the page as escaped HTML (Django escapes & < > " ')."""
    return escape(text) in html


def raw_markup_on(html: str, text: str) -> bool:
    """Markup from the text reached the page unescaped."""
    return any(tag in html for tag in re.findall(r"<[a-z][^>]*>", text))
