"""Forms for governing documents, assignments and an assignment's status in a follow-up."""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import (
    AccessibleFormMixin,
    SafeModelMultipleChoiceField,
    VersionedForm,
    long_text_field,
)
from goals.models import DirectionGoal, OrgUnit
from goals.permissions import access_for, tree_order

from .models import Assignment, AssignmentStatus, GoverningDocument
from .selectors import sees_q

DATE_FORMATS = ["%Y-%m-%d", "%Y%m%d", "%d/%m/%Y"]
DATE_ERROR = _("Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30.")
PDF_MAGIC = b"%PDF-"


def max_upload_mb() -> int:
    return int(getattr(settings, "GOVERNING_DOCUMENT_MAX_MB", 10))


def check_pdf(upload) -> None:
    """A PDF by its name and by its first bytes, no larger than the setting allows."""
    name = PurePath(upload.name or "").name
    if not name.lower().endswith(".pdf"):
        raise ValidationError(
            _("Filen ”%(name)s” är inte en PDF. Ladda upp dokumentet som PDF (.pdf)."),
            code="not_pdf_name",
            params={"name": name},
        )
    limit = max_upload_mb()
    if upload.size > limit * 1024 * 1024:
        raise ValidationError(
            _("Filen är för stor (%(size)s MB). Största tillåtna storlek är %(limit)s MB."),
            code="too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","), "limit": limit},
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(
            _(
                "Filen ”%(name)s” heter .pdf men är ingen PDF. "
                "Spara dokumentet som PDF och försök igen."
            ),
            code="not_pdf_content",
            params={"name": name},
        )


def _date_field(field) -> None:
    field.input_formats = DATE_FORMATS
    field.error_messages["invalid"] = DATE_ERROR
    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _tree_label(unit: OrgUnit) -> str:
    return f"{'– ' * max(unit.level - 1, 0)}{unit.name}"


class GoverningDocumentForm(VersionedForm):
    upload = forms.FileField(
        label=_("Fil (PDF)"),
        required=False,
        help_text=_("Bara PDF. Ersätter en tidigare uppladdad fil."),
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    link = forms.URLField(
        label=_("Länk"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Adress som börjar med https:// eller http://."),
    )
    remove_file = forms.BooleanField(label=_("Ta bort den uppladdade filen"), required=False)
    units = SafeModelMultipleChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=_("Enheter vars uppdrag vilar på dokumentet"),
        widget=forms.CheckboxSelectMultiple,
    )
    direction_goals = SafeModelMultipleChoiceField(
        queryset=DirectionGoal.objects.none(),
        required=False,
        label=_("Inriktningsmål som vilar på dokumentet"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = GoverningDocument
        fields = [
            "title",
            "kind",
            "level",
            "decided_by",
            "decided_on",
            "next_review_on",
            "link",
            "owning_unit",
            "units",
            "direction_goals",
        ]
        labels = {"owning_unit": _("Ägande enhet")}
        help_texts = {
            "owning_unit": _("Redaktörer för den enheten kan ändra dokumentet."),
            "decided_on": _("Skriv som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        access = access_for(user)
        units = OrgUnit.objects.order_by(*tree_order())
        editable = (
            units
            if access.edits_everything
            else units.filter(Q(pk__in=[u.pk for u in units if access.can_edit(u)]))
        )
        if self.instance.pk:
            editable = units.filter(Q(pk__in=editable) | Q(pk=self.instance.owning_unit_id))
        owner = self.fields["owning_unit"]
        owner.queryset = editable
        owner.empty_label = _("Välj enhet")
        owner.label_from_instance = _tree_label
        seen = units.filter(sees_q(access))
        goals = DirectionGoal.objects.filter(sees_q(access, "committee__"), archived=False)
        if self.instance.pk:
            seen = units.filter(Q(pk__in=seen) | Q(pk__in=self.instance.units.all()))
            goals = DirectionGoal.objects.filter(
                Q(pk__in=goals) | Q(pk__in=self.instance.direction_goals.all())
            )
        self.fields["units"].queryset = seen
        self.fields["units"].label_from_instance = _tree_label
        self.fields["direction_goals"].queryset = goals.select_related("committee").order_by(
            "committee__name", "code"
        )
        self.fields["direction_goals"].label_from_instance = lambda g: f"{g.code} {g.title}"
        self.fields["kind"].choices = [("", _("Välj typ")), *GoverningDocument.Kind.choices]
        self.fields["level"].choices = [("", _("Välj nivå")), *GoverningDocument.Level.choices]
        for name in ("decided_on", "next_review_on"):
            _date_field(self.fields[name])
        self.fields["link"].error_messages["invalid"] = _(
            "Skriv en fullständig adress som börjar med https:// eller http://."
        )
        if not self.instance.file:
            del self.fields["remove_file"]
        self._describe()

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            check_pdf(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        keeps_file = bool(self.instance.file) and not cleaned.get("remove_file")
        if (
            not cleaned.get("link")
            and not upload
            and not keeps_file
            and "upload" not in self.errors
            and "link" not in self.errors
        ):
            self.add_error("link", _("Ange en länk eller ladda upp dokumentet som PDF."))
        # The model asks for a link or a file; the upload becomes the file on save.
        self.instance._upload_pending = bool(upload)
        decided, review = cleaned.get("decided_on"), cleaned.get("next_review_on")
        if decided and review and review < decided:
            self.add_error("next_review_on", _("Revideringen kan inte ligga före beslutet."))
        return cleaned


class AssignmentForm(VersionedForm):
    class Meta:
        model = Assignment
        fields = [
            "text",
            "given_by",
            "given_on",
            "deadline",
            "receiving_unit",
            "direction_goal",
            "closed_on",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "text": _("Vad uppdraget går ut på, som i beslutet."),
            "given_on": _("Skriv som ÅÅÅÅ-MM-DD, t.ex. 2026-04-30."),
            "direction_goal": _("Valfritt: det inriktningsmål uppdraget hör till."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        access = access_for(user)
        givers = OrgUnit.objects.filter(
            kind__in=[OrgUnit.Kind.MUNICIPALITY, OrgUnit.Kind.COMMITTEE]
        ).order_by(*tree_order())
        allowed = [g.pk for g in givers if access.can_edit(g)]
        if self.instance.pk:
            allowed.append(self.instance.given_by_id)
        giver = self.fields["given_by"]
        giver.queryset = givers.filter(pk__in=allowed)
        giver.empty_label = _("Välj vem som ger uppdraget")
        giver.label_from_instance = lambda u: (
            str(_("Kommunfullmäktige")) if u.kind == OrgUnit.Kind.MUNICIPALITY else u.name
        )
        receiver = self.fields["receiving_unit"]
        receiver.queryset = OrgUnit.objects.filter(sees_q(access)).order_by(*tree_order())
        receiver.empty_label = _("Välj enhet")
        receiver.label_from_instance = _tree_label
        goal = self.fields["direction_goal"]
        goal.queryset = (
            DirectionGoal.objects.filter(sees_q(access, "committee__"))
            .select_related("committee")
            .order_by("committee__name", "code")
        )
        goal.empty_label = _("Inget")
        goal.label_from_instance = lambda g: f"{g.code} {g.title}"
        for name in ("given_on", "deadline", "closed_on"):
            _date_field(self.fields[name])
        self._describe()


class AssignmentStatusForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    comment = long_text_field(label=_("Kommentar"), required=False)

    def __init__(self, *args, row, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        self.fields["status"].choices = [("", _("Välj status")), *AssignmentStatus.Status.choices]
        self._describe()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("comment", "").strip() and not cleaned.get("status"):
            self.add_error("status", _("Välj en status för uppdraget som kommentaren gäller."))
        return cleaned
