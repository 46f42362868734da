"""The follow-up form's fields written in Python are the markup the templates write.

core/widget_rendering.py (widgets) and goals/templatetags/styr_fields.py (a field's label,
help, input and error) replace template work on a page with some 285 fields; here they are
held, byte for byte, to Django's widget templates and to goals/includes/form_field.html, with
what users type (values kept, hostile text escaped), Swedish numbers and errors shown.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.utils.safestring import mark_safe

from core.forms import SwedishNumberInput
from core.widget_rendering import FastWidgetRenderer
from goals.forms import AssessmentForm, MeasurementEntryForm, PriorityForm
from goals.models import Assessment

HOSTILE = "\"><script>alert(1)</script>&amp; 'x'"

TEMPLATES = DjangoTemplates()
FAST = FastWidgetRenderer()


WIDGETS = [
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.TextInput(attrs={"aria-describedby": "id_x_fel", "aria-invalid": "true"}), HOSTILE),
    (forms.TextInput(attrs={"required": True, "disabled": False, "maxlength": 300}), "Plan"),
    (SwedishNumberInput(), Decimal("1234.50")),
    (SwedishNumberInput(), "12,3,4"),
    (SwedishNumberInput(), Decimal("-0.25")),
    (forms.HiddenInput(), 7),
    (forms.NumberInput(), 3),
    (forms.Textarea(attrs={"rows": 2}), None),
    (forms.Textarea(attrs={"rows": 8}), f"Rad ett\n{HOSTILE}\n"),
    (forms.Select(choices=[("", "Välj"), *Assessment.choices]), "partly"),
    (forms.Select(choices=[("", "Välj"), *Assessment.choices]), None),
    (forms.Select(choices=[("", "Välj mål"), (12, "UN-1 Lärande <&>"), (13, HOSTILE)]), 13),
    (forms.Select(choices=[("Grupp <1>", [(1, "Ett"), (2, "Två")]), (3, "Tre")]), 2),
    (forms.Select(choices=[(1, mark_safe("<b>säker</b>"))]), 1),
    (forms.SelectMultiple(choices=[(1, "Ett"), (2, "Två")]), [1, 2]),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_widgets_are_written_as_the_templates_write_them(widget, value):
    attrs = {"id": "id_falt"}
    expected = widget.render("falt", value, attrs, renderer=TEMPLATES)
    assert widget.render("falt", value, attrs, renderer=FAST) == expected
    if isinstance(value, str) and value == HOSTILE:
        assert "<script>" not in expected


def test_other_widgets_still_go_through_their_templates():
    widget = forms.RadioSelect(choices=[("a", "A"), ("b", "B")])
    expected = widget.render("falt", "a", {"id": "id_falt"}, renderer=TEMPLATES)
    assert widget.render("falt", "a", {"id": "id_falt"}, renderer=FAST) == expected
    assert 'type="radio"' in expected


class RequiredForm(forms.Form):
    name = forms.CharField(label="Namn", help_text="Som det står <i>i planen</i>.")
    kind = forms.ChoiceField(
        label="Slag", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )


def _include(field) -> str:
    template = Template('{% include "goals/includes/form_field.html" with field=field %}')
    return template.render(Context({"field": field}))


def _tag(field) -> str:
    return Template("{% load styr_fields %}{% form_field field %}").render(
        Context({"field": field})
    )


def _assessment_form(data=None):
    return AssessmentForm(
        data,
        prefix="mal-1",
        mid_year=True,
        suggested=Assessment.FULFILLED,
        initial={"level": "partly", "justification": "", "forecast_level": "", "comment": ""},
        renderer=FAST,
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: _assessment_form(),
        # Overrides the suggestion without a justification: an error under the field.
        lambda: _assessment_form({"mal-1-level": "not_fulfilled", "mal-1-comment": HOSTILE}),
        lambda: RequiredForm({"name": "", "kind": "x"}),
        lambda: RequiredForm(),
    ],
)
def test_form_field_tag_writes_what_the_include_writes(make):
    form = make()
    if form.is_bound:
        form.is_valid()
    for field in form:
        assert _tag(field) == _include(field), field.name


def test_form_field_ties_the_error_and_keeps_what_was_typed():
    form = _assessment_form({"mal-1-level": "not_fulfilled", "mal-1-comment": HOSTILE})
    assert not form.is_valid()
    html = _tag(form["justification"])
    assert 'aria-describedby="id_mal-1-justification_fel"' in html
    assert '<p class="error" id="id_mal-1-justification_fel">' in html
    assert "Motivera varför bedömningen avviker" in html
    comment = _tag(form["comment"])
    assert "&lt;script&gt;" in comment and "<script>" not in comment


INLINE_BEFORE = (
    '<label class="visually-hidden" for="{{ f.value.id_for_label }}">Utfall, {{ name }}</label>'
    '{{ f.value }}{% if f.value.errors %}<p class="error" id="{{ f.value.auto_id }}_fel">'
    '{{ f.value.errors|join:" " }}</p>{% endif %}'
)


@pytest.mark.parametrize(
    ("data", "initial"),
    [
        (None, {"value": Decimal("1234.5"), "comment": ""}),
        (None, {"value": None, "comment": ""}),
        ({"ind-1-value": "tolv", "ind-1-comment": "Ur <b>Kolada</b>"}, {}),
        ({"ind-1-value": "1 234,5", "ind-1-comment": ""}, {}),
        ({"ind-1-value": "", "ind-1-comment": "Bara en kommentar"}, {}),
    ],
)
def test_inline_field_writes_what_the_table_rows_wrote(data, initial):
    form = MeasurementEntryForm(data, prefix="ind-1", initial=initial, renderer=FAST)
    if data is not None:
        form.is_valid()
    context = Context({"f": form, "name": "Andel <nöjda> & trygga"})
    before = Template(INLINE_BEFORE).render(context)
    after = Template('{% load styr_fields %}{% inline_field f.value "Utfall, " name %}').render(
        context
    )
    assert after == before
    if data and data["ind-1-value"]:
        assert f'value="{data["ind-1-value"]}"' in after  # kept as typed
    if data and data["ind-1-value"] == "tolv":
        assert 'aria-describedby="id_ind-1-value_fel"' in after
        assert "Skriv ett tal, till exempel 1 234,5." in after
    if initial.get("value"):
        assert 'value="1 234,5"' in after  # Swedish number formatting


def test_inline_field_numbers_rows_like_the_priorities_table():
    form = PriorityForm({"text": "Mer läsning"}, goals=[], renderer=FAST)
    form.is_valid()
    context = Context({"pf": form})
    before = Template(
        '{% for x in "ab" %}<label class="visually-hidden" '
        'for="{{ pf.direction_goal.id_for_label }}">'
        "Inriktningsmål, rad {{ forloop.counter }}</label>{{ pf.direction_goal }}"
        '{% if pf.direction_goal.errors %}<p class="error" '
        'id="{{ pf.direction_goal.auto_id }}_fel">'
        '{{ pf.direction_goal.errors|join:" " }}</p>{% endif %}{% endfor %}'
    ).render(context)
    after = Template(
        '{% load styr_fields %}{% for x in "ab" %}'
        '{% inline_field pf.direction_goal "Inriktningsmål, rad " forloop.counter %}{% endfor %}'
    ).render(context)
    assert after == before
    assert "Välj vilket mål prioriteringen gäller." in after


def test_assessment_cells_write_what_the_roll_up_loop_wrote():
    cells = [SimpleNamespace(level="fulfilled"), None, SimpleNamespace(level=""), None]
    cells += [SimpleNamespace(level="not_fulfilled"), SimpleNamespace(level="fulfilled")]
    context = Context({"cells": cells})
    before = Template(
        "{% load styr %}{% for a in cells %}<td>{% if a %}{{ a.level|assessment }}"
        "{% else %}–{% endif %}</td>{% endfor %}"
    ).render(context)
    after = Template("{% load styr_fields %}{% assessment_cells cells %}").render(context)
    assert after == before
    assert after.count("<td>") == 6 and "Ingen bedömning" in after
