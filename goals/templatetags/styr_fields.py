"""Form fields written in Python for pages that repeat them by the hundred.

`{% form_field field %}` writes exactly what `{% include "goals/includes/form_field.html"
with field=field %}` writes (label above, help under the label, the error under the field,
tied with aria-describedby by AccessibleFormMixin) without a template include per field;
`{% inline_field field "Utfall, " ind.name %}` writes a table cell's visually hidden label,
the input and its error. goals/tests/test_widget_rendering.py holds them to the templates.
"""

from django import template
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.widget_rendering import escape

from .styr import assessment

register = template.Library()

FORM_FIELD_TEMPLATE = "goals/includes/form_field.html"
_CHOICE_LISTS = ("checkboxselectmultiple", "radioselect")


def _text(value) -> str:
    """`{{ value }}` for a string: escaped unless already safe."""
    return escape(value)


def _errors(field) -> str:
    return " ".join(_text(e) for e in field.errors)


@register.simple_tag
def form_field(field):
    """goals/includes/form_field.html, written directly for the single-input widgets."""
    if field.widget_type in _CHOICE_LISTS:
        return get_template(FORM_FIELD_TEMPLATE).render({"field": field})
    auto_id = field.auto_id
    errors = field.errors
    required = ' <span class="required">(obligatoriskt)</span>' if field.field.required else ""
    help_text = field.help_text
    help_html = (
        f'<p class="help" id="{_text(auto_id)}_hjalp">{_text(help_text)}</p>' if help_text else ""
    )
    error_html = (
        f'<p class="error" id="{_text(auto_id)}_fel"><span class="visually-hidden">Fel: </span>'
        f"{_errors(field)}</p>"
        if errors
        else ""
    )
    return mark_safe(
        f'\n<div class="field{" field--error" if errors else ""}">\n\n'
        f'  <label for="{_text(field.id_for_label)}">{_text(field.label)}{required}</label>\n'
        f"  {help_html}\n"
        f"  {field}\n"
        f"  {error_html}\n"
        "\n</div>\n\n"
    )


@register.simple_tag
def inline_field(field, *label):
    """A table cell's field: a visually hidden label (its parts joined, e.g. "Utfall, " and
    the indicator's name), the input, and its error under it (the input's aria-describedby
    points at the error's id)."""
    html = format_html(
        '<label class="visually-hidden" for="{}">{}</label>{}',
        field.id_for_label,
        mark_safe("".join(_text(part) for part in label)),
        field,
    )
    if field.errors:
        html += format_html(
            '<p class="error" id="{}_fel">{}</p>', field.auto_id, mark_safe(_errors(field))
        )
    return html


@register.simple_tag
def assessment_cells(cells, goals=None):
    """`<td>` per cell: its level in the status vocabulary, or – where nothing is assessed.
    With the goals of the columns, each cell carries its goal's code as `data-label`, so
    that the row stacks into code/level lines on a phone."""
    seen = {}
    opens = [f'<td data-label="{_text(g.code)}">' for g in goals] if goals else None
    parts = []
    for i, a in enumerate(cells):
        td = opens[i] if opens and i < len(opens) else "<td>"
        if not a:
            parts.append(f"{td}–</td>")
            continue
        level = a.level
        if level not in seen:
            seen[level] = assessment(level)
        parts.append(f"{td}{seen[level]}</td>")
    return mark_safe("".join(parts))
