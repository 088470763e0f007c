"""A report published from the workspace keeps its narrative as written: the portal
page, the DOCX and the PDF (WeasyPrint, the letters' renderer) print every full-width
mark; the portal page offers the PDF."""

import datetime as dt
import io

import pdfplumber
import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from gongkai.annual import workflow

from .conftest import PINNED, fill_placeholders

WRITTEN = "（一）本局坚持公开为常态，不公开为例外；全年办理咨询：电话、现场、网上（含留言）。"
MARKS = "（），；：。"


@pytest.fixture
def published(world):
    annual = workflow.start(world.agency, 2026, by=world.office, today=PINNED)
    annual = fill_placeholders(annual, world.office)
    texts = {"一": [WRITTEN] + [s["text"] for s in annual.sections["一"][1:]]}
    annual = workflow.edit(annual, texts=texts, by=world.office)
    annual = workflow.submit(annual, by=world.office, today=PINNED)
    annual = workflow.review(annual, by=world.office_head, decision="agree")
    annual = workflow.approve(annual, by=world.leader, decision="agree")
    return workflow.publish(
        annual, by=world.office, at=timezone.make_aware(dt.datetime(2027, 1, 20, 9))
    )


def _plain(text):
    return "".join(text.split())


def test_portal_page_docx_and_pdf_keep_every_full_width_mark(published):
    client = Client()
    page = client.get("/xxgk/gaj/reports/2026/").content.decode()
    assert WRITTEN in page
    assert "/xxgk/gaj/reports/2026/download/pdf/" in page

    word = client.get("/xxgk/gaj/reports/2026/download/docx/")
    assert word.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert WRITTEN in text

    pdf = client.get("/xxgk/gaj/reports/2026/download/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.content)) as doc:
        extracted = _plain("".join(p.extract_text() or "" for p in doc.pages))
    assert _plain(WRITTEN) in extracted
    for mark in MARKS:
        assert mark in extracted
