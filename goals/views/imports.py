"""Import and export for committee staff: upload → dry run → preview → confirm.

Nothing is written until the user confirms, and then everything in one transaction or
nothing. The uploaded file waits in a private temporary folder between the two steps.
"""

import logging
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from import_export.formats.base_formats import CSV, XLSX

from ..import_widgets import cell_text
from ..permissions import access_for, subtree_q_for
from ..resources import MAX_ROWS, RESOURCES
from ..spreadsheets import (
    SAVE_AS_CSV,
    SAVE_AS_XLSX,
    SpreadsheetError,
    read_csv,
    read_xlsx,
    swedish_csv,
)

logger = logging.getLogger(__name__)

FORMATS = {"csv": CSV, "xlsx": XLSX}
MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 2 * 1024 * 1024)
IMPORT_TYPES = {
    "new": "Ny",
    "update": "Ändras",
    "skip": "Oförändrad",
    "delete": "Tas bort",
    "error": "Fel",
    "invalid": "Fel",
}


def _upload_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "styrsystem-import"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _require_editor(user):
    if not access_for(user).edits_anything:
        raise PermissionDenied("Import och export är till för redaktörer.")


def _scope(resource_key: str, queryset, user):
    """Only what the user may change: their subtree (and the goals of their committees)."""
    access = access_for(user)
    if access.edits_everything:
        return queryset
    units = access.edit_units
    if not units:
        return queryset.none()
    # Kinds registered by the apps built on goals say where their owner is themselves.
    prefix = (
        getattr(RESOURCES[resource_key], "scope_prefix", None)
        or {
            "organisation": "",
            "mal": "committee__",
            "indikatorer": "direction_goal__committee__",
            "utfall": "indicator__direction_goal__committee__",
            "aktiviteter": "plan__org_unit__",
            "planer": "org_unit__",
        }[resource_key]
    )
    return queryset.filter(subtree_q_for(units, prefix))


def _read(fmt_key: str, content: bytes, name: str):
    """The file as a tablib Dataset of at most MAX_ROWS + 1 rows (one more than allowed, so
    that the caller can refuse it), read in bounded time and memory (goals/spreadsheets.py).
    Raises SpreadsheetError with a Swedish message when the file cannot be read."""
    reader = read_csv if fmt_key == "csv" else read_xlsx
    try:
        return reader(content, name=name, max_rows=MAX_ROWS)
    except SpreadsheetError:
        raise
    except Exception as error:  # a reader's bug or a library's surprise: still say what to do
        logger.info("Import: %s kunde inte läsas (%s: %s)", name, type(error).__name__, error)
        advice = SAVE_AS_CSV if fmt_key == "csv" else SAVE_AS_XLSX
        raise SpreadsheetError(f"{name} kunde inte läsas som {fmt_key.upper()}. {advice}") from None


def _too_many_rows(name: str) -> str:
    return (
        f"Filen har fler än {MAX_ROWS} rader; högst {MAX_ROWS} åt gången. Dela upp {name} i "
        "flera filer och importera dem en i taget."
    )


@login_required
def data_export(request, kind, fmt):
    _require_editor(request.user)
    if kind not in RESOURCES or fmt not in FORMATS:
        raise Http404
    resource = RESOURCES[kind](user=request.user)
    queryset = _scope(kind, resource.get_export_queryset(), request.user)
    dataset = resource.export(queryset=queryset)
    # A CSV writes numbers Swedish, with a BOM so that Excel reads it as UTF-8; a sheet keeps
    # numbers as numbers.
    csv = fmt == "csv"
    data = "\ufeff" + swedish_csv(dataset) if csv else FORMATS[fmt]().export_data(dataset)
    response = HttpResponse(
        data,
        content_type=FORMATS[fmt].CONTENT_TYPE
        if hasattr(FORMATS[fmt], "CONTENT_TYPE")
        else "application/octet-stream",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="styrsystem-{kind}-{stamp}.{fmt}"'
    return response


def _rows(result, resource, dataset):
    """Every row with its fate and its errors, by column, in Swedish."""
    columns = {f.attribute: f.column_name for f in resource.get_import_fields()}
    invalid = {r.number: r for r in result.invalid_rows}
    errors = dict(result.row_errors())
    rows = []
    for number, values in enumerate(dataset.dict, start=1):
        row_errors = []
        if number in invalid:
            for field, messages_ in invalid[number].error_dict.items():
                label = (
                    "hela raden"
                    if field in ("__all__", "NON_FIELD_ERRORS")
                    else columns.get(field, field)
                )
                for message in messages_:
                    row_errors.append((label, str(message)))
        for error in errors.get(number, []):
            text = getattr(error.error, "messages", None)
            row_errors.append(("hela raden", "; ".join(text) if text else str(error.error)))
        row_result = result.rows[number - 1] if number - 1 < len(result.rows) else None
        kind = "error" if row_errors else (row_result.import_type if row_result else "skip")
        # Old → new only for a row that will change: a refused row tells nothing stored.
        diff = row_result.diff if kind == "update" and row_result else None
        changed = getattr(diff, "changed", {})
        rows.append(
            {
                "number": number,
                "cells": [_cell(h, values.get(h), changed) for h in dataset.headers],
                "kind": kind,
                "kind_label": IMPORT_TYPES.get(kind, kind),
                "changed": [h for h in dataset.headers if h in changed],
                "errors": row_errors,
            }
        )
    return rows


def _cell(header, value, changed: dict) -> dict:
    """One cell of the preview: its value, or its stored and new value when the row changes it."""
    cell = {"header": header, "value": cell_text(value)}
    if header in changed:
        cell["old"], cell["new"] = changed[header]
    return cell


def _shortened(value, limit: int = 80) -> str:
    """A cell in a message: a header can be any text, up to megabytes of it."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _check_headers(dataset, resource) -> list[str]:
    expected = [f.column_name for f in resource.get_import_fields() if not f.readonly] + [
        f.column_name for f in resource.get_import_fields() if f.readonly
    ]
    headers = [h for h in (dataset.headers or []) if h not in (None, "")]
    problems = [f"Okänd kolumn ”{_shortened(h)}”" for h in headers if h not in expected]
    id_columns = [resource.fields[f].column_name for f in resource.get_import_id_fields()]
    problems += [f"Kolumnen ”{c}” saknas" for c in id_columns if c not in headers]
    return problems


def _form_context(request) -> dict:
    return {"kinds": [(k, r.title) for k, r in RESOURCES.items()], "max_rows": MAX_ROWS}


@login_required
def data_import(request):
    _require_editor(request.user)
    context = _form_context(request)
    if request.method != "POST":
        return render(request, "goals/import_form.html", context)
    action = request.POST.get("action", "preview")
    if action == "confirm":
        return _confirm(request)
    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    context["kind"] = kind
    problems = []
    if kind not in RESOURCES:
        problems.append("Välj vad filen innehåller.")
    if upload is None:
        problems.append("Välj en fil (.xlsx eller .csv).")
    fmt = ""
    if upload is not None:
        fmt = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if fmt not in FORMATS:
            problems.append(f"{upload.name}: bara .xlsx och .csv kan importeras.")
        if upload.size > MAX_BYTES:
            problems.append(
                f"{upload.name} är {upload.size // 1024} kB; största tillåtna är "
                f"{MAX_BYTES // 1024} kB."
            )
    if problems:
        context["problems"] = problems
        return render(request, "goals/import_form.html", context, status=400)
    content = upload.read()
    try:
        dataset = _read(fmt, content, upload.name)
    except SpreadsheetError as error:
        context["problems"] = [str(error)]
        return render(request, "goals/import_form.html", context, status=400)
    if len(dataset) > MAX_ROWS:
        context["problems"] = [_too_many_rows(upload.name)]
        return render(request, "goals/import_form.html", context, status=400)
    resource = RESOURCES[kind](user=request.user)
    header_problems = _check_headers(dataset, resource)
    if header_problems:
        context["problems"] = header_problems + [
            "Exportera en fil av samma slag för att se kolumnerna som behövs."
        ]
        return render(request, "goals/import_form.html", context, status=400)
    result = resource.import_data(dataset, dry_run=True, raise_errors=False, use_transactions=True)
    removals = getattr(resource, "removed_targets", [])
    token = secrets.token_urlsafe(16)
    (_upload_dir() / f"{token}.{fmt}").write_bytes(content)
    request.session["import_upload"] = {
        "token": token,
        "fmt": fmt,
        "kind": kind,
        "name": upload.name,
        # The confirmation removes these targets and no others.
        "removals": [[code, year] for code, year, _value in removals],
    }
    rows = _rows(result, resource, dataset)
    context.update(
        {
            "title": resource.title,
            "filename": upload.name,
            "headers": dataset.headers,
            "rows": rows,
            "removals": [
                {"indicator": code, "year": year, "value": cell_text(value)}
                for code, year, value in removals
            ],
            "error_count": sum(1 for r in rows if r["kind"] == "error"),
            "counts": {
                label: sum(1 for r in rows if r["kind_label"] == label)
                for label in ("Ny", "Ändras", "Oförändrad", "Fel")
            },
        }
    )
    # Rows someone changed since the file was exported are a conflict (409), not a typing error.
    status = 409 if resource.stale_rows else 200
    return render(request, "goals/import_preview.html", context, status=status)


def _confirm(request):
    upload = request.session.get("import_upload")
    if not upload or upload.get("token") != request.POST.get("token"):
        messages.error(request, "Förhandsgranskningen har gått ut. Ladda upp filen igen.")
        return redirect(reverse("data_import"))
    path = _upload_dir() / f"{upload['token']}.{upload['fmt']}"
    if not path.exists():
        messages.error(request, "Förhandsgranskningen har gått ut. Ladda upp filen igen.")
        return redirect(reverse("data_import"))
    try:
        dataset = _read(upload["fmt"], path.read_bytes(), upload["name"])
    except SpreadsheetError as error:  # read at the preview; only a changed limit gets here
        problem = str(error)
    else:
        problem = _too_many_rows(upload["name"]) if len(dataset) > MAX_ROWS else ""
    if problem:
        path.unlink(missing_ok=True)
        del request.session["import_upload"]
        messages.error(request, f"{problem} Inget har sparats.")
        return redirect(reverse("data_import"))
    # Only the targets the preview listed may go (the indicators' resource checks; the other
    # kinds remove nothing and ignore it).
    confirmed = {tuple(r) for r in upload.get("removals", [])}
    resource = RESOURCES[upload["kind"]](user=request.user, confirmed_removals=confirmed)
    result = resource.import_data(
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,  # all rows or none
        file_name=upload["name"],  # for the audit entry the resource writes
    )
    path.unlink(missing_ok=True)
    del request.session["import_upload"]
    if result.has_errors() or result.has_validation_errors():
        # The first reasons, as the preview words them (a row someone changed since it).
        reasons = [
            f" Rad {row['number']}: {message}"
            for row in _rows(result, resource, dataset)
            for _column, message in row["errors"]
        ]
        message = (
            "Importen stoppades: filen har fel (eller data har ändrats sedan "
            "förhandsgranskningen). Inget har sparats." + "".join(reasons[:3])
        )
        if resource.stale_rows:
            # Changed since the preview, which had no errors: a conflict, said on the form.
            messages.error(request, message + " Ladda upp filen igen.")
            context = {**_form_context(request), "kind": upload["kind"]}
            return render(request, "goals/import_form.html", context, status=409)
        messages.error(request, message)
        return redirect(reverse("data_import"))
    totals = result.totals
    messages.success(
        request,
        f"{upload['name']} är importerad: {totals.get('new', 0)} nya, "
        f"{totals.get('update', 0)} ändrade, {totals.get('skip', 0)} oförändrade rader.",
    )
    return redirect(reverse("data_import"))
