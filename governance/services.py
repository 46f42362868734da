"""Writes of governing documents, assignments and assignment statuses: one transaction each."""

from django.db import transaction

from goals.models import PublishedError, Submission
from goals.services import StaleEdit, save_versioned

from .models import AssignmentStatus, GoverningDocument

__all__ = [
    "StaleEdit",
    "assignment_save",
    "assignment_statuses_save",
    "governing_document_save",
]


def governing_document_save(*, form, user) -> GoverningDocument:
    """Create or change a document from a valid form, never over a newer version.

    The checked upload becomes the document's file; a refused save (a stale version, a
    database error) leaves no file behind in MEDIA_ROOT.
    """
    document = form.instance
    upload = form.cleaned_data.get("upload")
    if upload:
        document.file = upload
        document.file_name = upload.name[-200:]
    elif form.cleaned_data.get("remove_file"):
        # The earlier file stays in storage: the document's history still names it.
        document.file = None
        document.file_name = ""
    try:
        return save_versioned(form=form, user=user)
    except BaseException:
        if upload and document.file and document.file._committed:
            document.file.delete(save=False)
        raise


def assignment_save(*, form, user):
    """Create or change an assignment from a valid form, never over a newer version."""
    return save_versioned(form=form, user=user)


def assignment_statuses_save(*, submission: Submission, user, forms) -> int:
    """Store the follow-up's assignment statuses; returns how many rows changed.

    Called inside the follow-up's own save, so they are saved (or refused) with it. A
    status set back to empty removes the row; an unchanged row is not saved again.
    """
    changed = 0
    with transaction.atomic():
        current = Submission.objects.get(pk=submission.pk)
        if current.state == Submission.State.PUBLISHED:
            raise PublishedError()
        existing = {s.assignment_id: s for s in AssignmentStatus.objects.filter(submission=current)}
        for form in forms:
            assignment = form.row.assignment
            status = form.cleaned_data.get("status", "")
            comment = form.cleaned_data.get("comment", "").replace("\x00", "").strip()
            row = existing.get(assignment.pk)
            if not status:
                if row is not None:
                    row._history_user = user
                    row.delete()
                    changed += 1
                continue
            if row is None:
                row = AssignmentStatus(assignment=assignment, submission=current)
            elif (row.status, row.comment) == (status, comment):
                continue
            row.status, row.comment = status, comment
            row._history_user = user
            row.save()
            changed += 1
    return changed
