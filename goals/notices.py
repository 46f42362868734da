"""E-mail notices of the cycle, through Django's e-mail backend (the console in the demo)."""

import contextlib
import contextvars
import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .models import Notice, ReportingOccasion, Submission, SubmissionEvent
from .selectors import editors_for, expected_units, reviewers_for

DEADLINE_NOTICE_DAYS = 7
logger = logging.getLogger(__name__)

_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("notices_off", default=False)


@contextlib.contextmanager
def suppressed():
    """No notices for moves made inside (e.g. while the demo data is loaded)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def enabled() -> bool:
    return not _suppressed.get()


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def submission_moved(*, event_id: int) -> None:
    """A submission arrived (to its reviewers), was returned or approved (to its editors)."""

    event = SubmissionEvent.objects.select_related(
        "submission__occasion__plan_year", "submission__org_unit", "actor"
    ).get(pk=event_id)
    submission = event.submission
    occasion = submission.occasion
    what = f"{occasion.name} {occasion.plan_year.year} – {submission.org_unit.name}"
    actor = event.actor.get_full_name() or event.actor.get_username()
    if event.action == SubmissionEvent.Action.SUBMIT:
        recipients = reviewers_for(submission.org_unit)
        subject = f"Inlämnad för granskning: {what}"
        body = (
            f"{actor} har lämnat in {what} för granskning.\n\n"
            f"Granska: {_link(reverse('review_submission', args=[submission.pk]))}\n"
        )
    elif event.action == SubmissionEvent.Action.RETURN:
        recipients = editors_for(submission.org_unit)
        subject = f"Återsänd: {what}"
        body = (
            f"{actor} har skickat tillbaka {what}.\n\nMotivering:\n{event.reason}\n\n"
            f"Öppna uppföljningen: {_link(submission.get_absolute_url())}\n"
        )
    elif event.action == SubmissionEvent.Action.APPROVE:
        recipients = editors_for(submission.org_unit)
        subject = f"Godkänd: {what}"
        body = f"{actor} har godkänt {what}.\n\n{_link(submission.get_absolute_url())}\n"
    else:
        return
    addresses = sorted({u.email for u in recipients})
    if addresses:
        send_mail(subject, body, None, addresses)


def send_deadline_notices(*, today: datetime.date | None = None) -> int:
    """Remind the editors of everyone who has not submitted, 7 days before a deadline.

    Idempotent: each (occasion, unit, recipient) is reminded once; run it daily.
    """

    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DEADLINE_NOTICE_DAYS)
    sent = 0
    occasions = ReportingOccasion.objects.filter(
        deadline__gt=today, deadline__lte=soon, opens_on__lte=soon
    ).select_related("plan_year")
    done_states = [
        Submission.State.SUBMITTED,
        Submission.State.APPROVED,
        Submission.State.PUBLISHED,
    ]
    for occasion in occasions:
        finished = set(
            Submission.objects.filter(occasion=occasion, state__in=done_states).values_list(
                "org_unit_id", flat=True
            )
        )
        for unit in expected_units(occasion):
            if unit.pk in finished:
                continue
            for user in editors_for(unit):
                path = reverse("followup_edit", args=[occasion.pk, unit.code])
                try:
                    # The record and the mail succeed together: a failed send is retried
                    # on the next run, a sent one is never repeated.
                    with transaction.atomic():
                        Notice.objects.create(
                            kind="deadline", occasion=occasion, org_unit=unit, recipient=user.email
                        )
                        send_mail(
                            f"Påminnelse: {occasion.name} {occasion.plan_year.year} – sista dag "
                            f"{occasion.deadline:%Y-%m-%d}",
                            f"Uppföljningen för {unit.name} ({occasion.name} "
                            f"{occasion.plan_year.year}) ska lämnas in senast "
                            f"{occasion.deadline:%Y-%m-%d}.\n\n{_link(path)}\n",
                            None,
                            [user.email],
                        )
                except IntegrityError:
                    continue  # already reminded
                except OSError:
                    logger.exception("Påminnelsen till %s kunde inte skickas", user.email)
                    continue
                sent += 1
    return sent
