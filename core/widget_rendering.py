"""Form widgets rendered in Python for pages with hundreds of fields.

Django renders every widget through a template (input.html, which includes attrs.html; a
select includes one template per option). On the follow-up form — at large scale some
285 fields — that template work was most of the page's server time. `FastWidgetRenderer`
writes the same markup, byte for byte, for the plain widgets the follow-up form uses
(text, hidden, number-like text inputs, textarea, select) and hands anything else — or
anything unusual about a widget's context — to the ordinary template renderer.
goals/tests/test_widget_rendering.py compares the two.
"""

from html import escape as _escape

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import SafeData

_INPUT_TEMPLATES = frozenset(
    {
        "django/forms/widgets/input.html",
        "django/forms/widgets/text.html",
        "django/forms/widgets/hidden.html",
        "django/forms/widgets/number.html",
        "django/forms/widgets/email.html",
        "django/forms/widgets/url.html",
        "django/forms/widgets/date.html",
    }
)
_TEXTAREA = "django/forms/widgets/textarea.html"
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


class _Unusual(Exception):
    """A widget context the fast path does not write exactly like the templates."""


def escape(value) -> str:
    """django.utils.html.conditional_escape of a string, without its lazy-string wrapper:
    the widgets of one page call it thousands of times."""
    text = str(value)
    return text if hasattr(text, "__html__") else _escape(text)


def _text(value) -> str:
    """`{{ value }}` for a string (or lazy string): escaped unless already safe."""
    if isinstance(value, str | Promise):
        return escape(value)
    raise _Unusual  # numbers, dates …: the template engine would localize them


def _format_s(value) -> str:
    """`{{ value|stringformat:'s' }}`."""
    if isinstance(value, tuple):
        raise _Unusual
    text = str(value)  # what "%s" % value gives for anything but a tuple
    return text if isinstance(value, SafeData) else _escape(text)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    if "items" in attrs:
        raise _Unusual  # `attrs.items` in a template would read that key
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape(name)}")
        else:
            parts.append(f' {escape(name)}="{_format_s(value)}"')
    return "".join(parts)


def _input(widget) -> str:
    value = widget["value"]
    shown = f' value="{_format_s(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def _select(widget) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != _OPTION:
                raise _Unusual
            parts.append(
                f'\n  <option value="{_format_s(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # select_option.html ends in a newline
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_FAST = {_TEXTAREA: _textarea, _SELECT: _select}
_FAST.update(dict.fromkeys(_INPUT_TEMPLATES, _input))


class FastWidgetRenderer(DjangoTemplates):
    """The default template renderer, with the plain widgets written directly."""

    def render(self, template_name, context, request=None):
        fast = _FAST.get(template_name)
        widget = context.get("widget") if fast is not None else None
        if widget is not None and widget.get("template_name") == template_name:
            try:
                return fast(widget).strip()
            except (_Unusual, KeyError):
                pass
        return super().render(template_name, context, request)


renderer = FastWidgetRenderer()
