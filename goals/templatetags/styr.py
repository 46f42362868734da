"""Template filters: numbers the Swedish way, the same on every page and in every form; user
text that cannot reorder the text around it (core/bidi.py)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.bidi import bdi as bidi_html
from core.bidi import isolate
from core.formats import format_swedish_number

register = template.Library()


@register.filter
def sv_number(value, decimals: int = 2) -> str:
    """85.50 → '85,5'; 1234 → '1 234' (no-break space, so a number never wraps); -0.6 →
    '−0,6' with a true minus sign (U+2212), as Swedish typesetting writes it."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(decimals)))
    except (InvalidOperation, ValueError):
        return str(value)
    return format_swedish_number(number).replace(" ", "\u00a0").replace("-", "\u2212")


@register.filter
def get_item(mapping, key):
    """mapping|get_item:key – a dict lookup with a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def assessment(level) -> str:
    """The status vocabulary: always a symbol and a word, never colour alone."""
    from goals.models import ASSESSMENT_SYMBOLS, Assessment

    if not level:
        return mark_safe('<span class="assessment assessment--missing">Ingen bedömning</span>')
    label = Assessment(level).label
    return format_html(
        '<span class="assessment assessment--{}"><span aria-hidden="true">{}</span> {}</span>',
        level,
        ASSESSMENT_SYMBOLS[level],
        label,
    )


@register.filter
def submission_state(submission) -> str:
    """A saved follow-up's state; where there may be none yet, use |state_badge on the
    state rules.followup_state gives (a unit's plan is a draft before it is handed in)."""
    if submission is None:
        return mark_safe('<span class="state state--none">Ej påbörjad</span>')
    return format_html(
        '<span class="state state--{}">{}</span>', submission.state, submission.get_state_display()
    )


@register.filter
def late(submission) -> str:
    """The words "Inlämnad efter sista dag (n dagar)" for a hand-in after the last day."""
    days = getattr(submission, "days_late", 0) if submission is not None else 0
    if not days:
        return ""
    return format_html(
        '<span class="late"><span aria-hidden="true">⏱</span> Inlämnad efter sista dag '
        "({} {})</span>",
        days,
        "dag" if days == 1 else "dagar",
    )


@register.filter
def state_badge(state) -> str:
    """A rules.FollowUpState as every page shows it: the word, in the state's colour."""
    return format_html('<span class="state state--{}">{}</span>', state.key, state.label)


@register.filter
def bdi(value) -> str:
    """User text inline beside other text, in a sentence, a breadcrumb or a heading:
    `{{ goal.title|bdi }}` escapes it and isolates it in <bdi>…</bdi>, so that bidi controls
    (U+202E…) or right-to-left letters in it cannot reorder what follows. '' for nothing."""
    return bidi_html(value)


@register.filter(is_safe=True)
def bdi_text(value) -> str:
    """|bdi where markup cannot go (a <title>): the text without bidi controls, between
    U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE if it has right-to-left
    letters (core.bidi.isolate); escaped later like any other text."""
    return isolate(value)
