"""How long a free text may be, wherever it arrives (forms, imports, the admin, services)."""

from django.core.validators import MaxLengthValidator

# The longest free text kept (descriptions, comments, analyses, justifications, answers,
# reasons): several pages of prose. Longer is refused, never cut, wherever a text arrives
# (forms, imports, the admin), since every save also copies the text into the history.
# Titles and names are CharFields with their own max_length.
TEXT_MAX = 20_000


def text_limit() -> list:
    """The validators of a free-text field: at most TEXT_MAX characters."""
    return [MaxLengthValidator(TEXT_MAX)]


def clean_text(value) -> str:
    """Free text from a request: NUL characters (which PostgreSQL refuses) removed, trimmed."""
    return str(value or "").replace("\x00", "").strip()


def too_long(text: str) -> str | None:
    """The Swedish refusal for a text over TEXT_MAX characters, or None when it fits."""
    if len(text) <= TEXT_MAX:
        return None
    count = f"{len(text):,}".replace(",", "\u00a0")
    limit = f"{TEXT_MAX:,}".replace(",", "\u00a0")
    return f"Texten har {count} tecken; högst {limit} får plats. Korta den och försök igen."
