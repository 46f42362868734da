"""A governing document whose title or stored file name carries bidi controls (U+202E …)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from goals.tests.test_bidi import RLO, page_title, reordered

from .test_documents import PDF, document

pytestmark = pytest.mark.django_db

CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def stored_pdf(doc, file_name: str):
    """The document with an uploaded file whose stored name is `file_name` as it is."""
    doc.file.save("protokoll.pdf", ContentFile(PDF), save=False)
    doc.file_name = file_name
    doc.save()
    return doc


def test_the_download_name_carries_no_bidi_control(client_for, media_root):
    # "<U+202E>fdp.exe" reads "exe.pdf" on screen; saved with the override it is a program's name.
    doc = stored_pdf(document(), f"Protokoll {RLO}fdp.exe")
    response = client_for("namnd").get(reverse("governance:document_file", args=[doc.pk]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header == 'inline; filename="Protokoll fdp.exe.pdf"'
    assert not any(char in header for char in CONTROLS) and "%E2%80" not in header
    assert b"".join(response.streaming_content) == PDF


def test_a_swedish_download_name_is_encoded_per_rfc_6266(client_for, media_root):
    doc = stored_pdf(document(), f"Årsplan{RLO} 2026\u2069.pdf")
    response = client_for("namnd").get(reverse("governance:document_file", args=[doc.pk]))
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%C3%85rsplan%202026.pdf"


def test_the_document_page_names_the_file_that_is_sent(client_for, media_root):
    doc = stored_pdf(document(title=f"Riktlinje {RLO}gnp.exe"), f"{RLO}fdp.exe")
    html = client_for("enhet").get(doc.get_absolute_url()).content.decode()
    # The link reads the name the download gets, in its own isolate before "(PDF)".
    assert "<bdi>fdp.exe.pdf</bdi> (PDF)</a>" in html
    assert f"<h1>Riktlinje {RLO}gnp.exe</h1>" in html
    assert reordered(html) == []
    assert page_title(html).startswith("Riktlinje gnp.exe – ")


def test_a_list_of_documents_keeps_each_title_to_itself(client_for):
    hostile = document(title=f"{RLO}Riktlinje gnp.exe", decided_by=f"{RLO}Nämnden")
    for url in (
        reverse("governance:document_list"),
        reverse("governance:documents_review"),
        hostile.owning_unit.get_absolute_url(),
    ):
        html = client_for("admin").get(url).content.decode()
        assert f"{RLO}Riktlinje gnp.exe" in html, url
        assert reordered(html) == [], url
