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
