"""Form fields and mixins every app's forms use: Swedish numbers and messages, errors tied to
their field for screen readers, a version that refuses lost updates, text limits."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .formats import _SPACES, format_swedish_number, parse_id
from .text import text_limit


class SwedishNumberInput(forms.TextInput):
    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | int | float):
            return format_swedish_number(value)
        return super().format_value(value)


class SwedishDecimalField(forms.DecimalField):
    """Accepts '1 234,5', '1234.5' and '-0,25'; answers in Swedish when it cannot."""

    widget = SwedishNumberInput
    default_error_messages = {"invalid": _("Skriv ett tal, till exempel 1 234,5.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = _SPACES.sub("", str(value)).replace(",", ".").replace("−", "-")
        if text.count(".") > 1:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        attrs.pop("max", None)
        return attrs


class YearField(forms.IntegerField):
    default_error_messages = {"invalid": _("Skriv ett årtal med fyra siffror, till exempel 2026.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "size": 6}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        return super().to_python(value)


class AccessibleFormMixin:
    """Ties help texts and errors to their field (aria-describedby, aria-invalid)."""

    def _describe(self):
        # Only errors already found: reading self.errors here would validate too early.
        errors = self._errors or {}
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            auto_id = self[name].auto_id
            ids = [f"{auto_id}_hjalp"] if field.help_text else []
            if name in errors:
                ids.append(f"{auto_id}_fel")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self):
        super().full_clean()
        self._describe()


def long_text_field(*, rows: int = 2, **kwargs) -> forms.CharField:
    """A free text of at most TEXT_MAX characters, like the model fields' text_limit().

    A validator rather than max_length: max_length would add the HTML maxlength attribute,
    with which the browser silently cuts a pasted text. Here the text is kept and the error
    is shown under the field.
    """
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}), validators=text_limit(), **kwargs
    )


def direction_field() -> forms.TypedChoiceField:
    """Whether a higher or a lower value is better: two named radio buttons, not a checkbox."""
    return forms.TypedChoiceField(
        label=_("Riktning"),
        choices=[("1", _("Högre värde är bättre")), ("0", _("Lägre värde är bättre"))],
        coerce=lambda v: v in ("1", True, "True"),
        widget=forms.RadioSelect,
    )


class VersionedForm(AccessibleFormMixin, forms.ModelForm):
    """Carries the version the edit started from, so a newer save is never overwritten."""

    # Not validated as a field: a tampered value just counts as "an old version".
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe()
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0

    @property
    def base_version(self) -> int:
        raw = self.data.get(self.add_prefix("version"), "")
        return parse_id(raw) or 0


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no database can hold before asking the database (no overflow error)."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk, max_digits=18) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
