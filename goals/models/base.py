"""Shared pieces of the models: year and text limits, the assessment levels, the published error."""

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import TEXT_MAX, text_limit  # noqa: F401  (importable from goals.models)

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


kolada_kpi_validator = RegexValidator(
    regex=r"^[A-Z]\d{5}$",
    message=_("Ett Kolada-id är en versal bokstav följd av fem siffror, till exempel N00945."),
)


class PublishedError(ValidationError):
    """Published follow-up is final: refused in services and on save."""

    def __init__(self, message=None):
        super().__init__(
            message or _("Uppföljningen är publicerad och kan inte längre ändras."),
            code="published",
        )


class Assessment(models.TextChoices):
    FULFILLED = "fulfilled", _("Uppfyllt")
    PARTLY = "partly", _("Delvis uppfyllt")
    NOT_FULFILLED = "not_fulfilled", _("Ej uppfyllt")
    NOT_ASSESSED = "not_assessed", _("Ej bedömt")


ASSESSMENT_SYMBOLS = {
    Assessment.FULFILLED: "●",
    Assessment.PARTLY: "◐",
    Assessment.NOT_FULFILLED: "✕",
    Assessment.NOT_ASSESSED: "–",
}
