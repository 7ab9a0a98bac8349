"""Reading uploaded documents (INF-03, INF-04: 法律文件阅读): PDFs by their text
layer, scanned pages and images by the packaged OCR engine, in the background
with progress; the text searchable in the workbench and used by the dispute
hints; refusals of other files and of people not handling the case."""

import io
from functools import cache
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from zhifa.assist import reading, services
from zhifa.assist.models import Document
from zhifa.core.errors import Forbidden, InvalidInput
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.req("INF-04")

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
STATEMENT = "陈述申辩书：我方认为罚款数额过重，请求从轻处罚。"


@cache
def text_pdf() -> bytes:
    """A one-page PDF with a text layer (Chinese, embedded TrueType font)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 2))
    fig.text(0.05, 0.5, STATEMENT, fontproperties=font_manager.FontProperties(fname=FONT))
    out = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(out, format="pdf")
    return out.getvalue()


@cache
def text_image(fmt: str = "PNG") -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (900, 160), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    draw.text((20, 20), "当事人销售超过保质期的食品", font=font, fill="black")
    draw.text((20, 90), "罚款人民币五千元整", font=font, fill="black")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def upload(client, case, name, data, role="statement"):
    return client.post(
        reverse("assist:document-upload", args=[case.pk]),
        {"file": SimpleUploadedFile(name, data), "role": role},
    )


needs_font = pytest.mark.skipif(not Path(FONT).exists(), reason="Noto CJK font not installed")


@needs_font
def test_a_pdf_is_read_in_the_background_searched_and_feeds_the_hints(client_for, team, case):
    client = client_for(team.lead)
    response = upload(client, case, "陈述申辩书.pdf", text_pdf())
    doc = Document.objects.get()
    assert response.status_code == 302 and doc.status == "queued" and doc.kind == "pdf"
    page = client.get(reverse("assist:document", args=[doc.pk])).content.decode()
    assert "排队中" in page and reverse("assist:document-progress", args=[doc.pk]) in page
    services.work(worker="test", once=True)
    doc.refresh_from_db()
    assert doc.status == "done" and doc.pages == 1 and "罚款数额过重" in doc.text
    assert LedgerEntry.objects.filter(action="assist.document_read").count() == 1
    assert LedgerEntry.objects.filter(action="file.store").count() == 1
    page = client.get(reverse("assist:document", args=[doc.pk])).content.decode()
    assert "第 1 页" in page and "请求从轻处罚" in page
    looks = LedgerEntry.objects.filter(action="case.view", object_id=str(case.pk))
    assert looks.filter(payload__what=f"document:{doc.pk}").exists()  # REC-12
    # Searchable in the workbench.
    found = client.get(reverse("assist:search"), {"q": "从轻处罚", "in": "documents"})
    assert "陈述申辩书.pdf" in found.content.decode()
    # The statement's contested point is a hint, linked to its page.
    hints = client.get(reverse("assist:case-hints", args=[case.pk])).content.decode()
    assert "罚款数额过重" in hints and f"/workbench/documents/{doc.pk}/#p-1" in hints


@needs_font
def test_an_image_is_read_by_ocr_and_ocr_can_be_switched_off(settings, client_for, team, case):
    if not reading.ocr_enabled():
        pytest.skip("rapidocr-onnxruntime is not installed")
    client = client_for(team.lead)
    upload(client, case, "现场照片.png", text_image(), role="evidence")
    services.work(worker="test", once=True)
    doc = Document.objects.get()
    assert doc.status == "done" and doc.engine == "rapidocr-onnxruntime"
    assert "保质期" in doc.text and "五千元" in doc.text
    settings.ZHIFA_ASSIST_OCR = False
    with pytest.raises(InvalidInput):
        services.document_upload(
            actor=team.lead, case=case, stream=io.BytesIO(text_image()), filename="b.png"
        )


@needs_font
def test_a_photo_on_the_case_file_is_read_without_uploading_it_again(
    client_for, team, case, build, tmp_path
):
    if not reading.ocr_enabled():
        pytest.skip("rapidocr-onnxruntime is not installed")
    from zhifa.media.testing import attach

    path = tmp_path / "label.jpg"
    path.write_bytes(text_image("JPEG"))
    photo = attach(team, case, path=path, filename="标签照片.jpg", is_continuous=False)
    client = client_for(team.lead)
    url = reverse("assist:document-upload", args=[case.pk])
    page = client.get(url).content.decode()
    assert "标签照片.jpg" in page and "识别文字" in page
    looks = LedgerEntry.objects.filter(action="case.view", object_id=str(case.pk))
    assert looks.filter(payload__what="photos").exists()  # REC-12
    # Only the case's handlers: a colleague outside the case and the reviewer are refused.
    stranger = build.officer(team.agency, name="本局其他执法员")
    with pytest.raises(Forbidden):
        services.document_from_media(actor=stranger.user, item=photo)
    with pytest.raises(Forbidden):
        services.document_from_media(actor=team.reviewer, item=photo)
    assert not Document.objects.exists()
    response = client.post(url, {"media": photo.pk})
    doc = Document.objects.get()
    assert response.status_code == 302 and doc.file_id == photo.file_id and doc.kind == "image"
    assert LedgerEntry.objects.filter(action="assist.document_from_media").count() == 1
    assert LedgerEntry.objects.filter(action="file.store").count() == 1  # the photo's own, once
    services.work(worker="test", once=True)
    doc.refresh_from_db()
    assert doc.status == "done" and "保质期" in doc.text
    # Once per photo; it is no longer offered.
    again = client.post(url, {"media": photo.pk}).content.decode()
    assert "该照片已在识别或已识别" in again and Document.objects.count() == 1
    assert "标签照片.jpg" not in client.get(url).content.decode()


def test_other_files_and_other_people_are_refused(client_for, team, case, build):
    with pytest.raises(InvalidInput):
        services.document_upload(
            actor=team.lead, case=case, stream=io.BytesIO(b"hello world"), filename="a.txt"
        )
    assert not Document.objects.exists()
    reviewer = client_for(team.reviewer)
    assert upload(reviewer, case, "a.pdf", b"%PDF-1.4\n").status_code == 403
    stranger = build.officer(team.agency, name="本局其他执法员")
    assert upload(client_for(stranger.user), case, "a.pdf", b"%PDF-1.4\n").status_code == 404


def test_a_broken_pdf_fails_with_its_reason_and_can_be_retried(client_for, team, case):
    client = client_for(team.lead)
    upload(client, case, "坏文件.pdf", b"%PDF-1.4\nnot really a pdf")
    services.work(worker="test", once=True)
    doc = Document.objects.get()
    assert doc.status == "failed" and "无法打开" in doc.error
    retry = reverse("assist:document-retry", args=[doc.pk])
    assert "确认重新识别" in client.get(retry).content.decode()
    client.post(retry, {"confirmed": "1"})
    doc.refresh_from_db()
    assert doc.status == "queued" and doc.attempts == 2


@needs_font
def test_the_api_uploads_lists_and_reads_documents(team, case, build):
    api = APIClient()
    api.force_authenticate(team.lead)
    response = api.post(
        "/api/v1/assist/documents/",
        {"case": case.pk, "file": SimpleUploadedFile("s.pdf", text_pdf()), "role": "evidence"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    services.work(worker="test", once=True)
    body = api.get(f"/api/v1/assist/documents/{response.json()['id']}/").json()
    assert body["status"] == "done" and "从轻处罚" in body["page_texts"][0]["text"]
    listed = api.get(f"/api/v1/assist/documents/?case={case.pk}").json()
    assert listed["count"] == 1
    hits = api.get("/api/v1/assist/document-pages/", {"q": "从轻处罚"}).json()
    assert hits["count"] == 1 and hits["results"][0]["page"] == 1
    # Text read from evidence joins what the case's similar cases and provisions are found by.
    from zhifa.assist.hints import case_query

    assert "罚款数额过重" in case_query(case)
    stranger = APIClient()
    stranger.force_authenticate(build.officer(team.agency, name="其他执法员").user)
    assert stranger.get(f"/api/v1/assist/documents/{body['id']}/").status_code == 404
