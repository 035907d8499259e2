"""Evidence files of progress reports and submissions: sniffed, size-limited, hashed, stored; refusals store nothing."""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from congvu.audit.models import AuditEvent
from congvu.tasks import services
from congvu.tasks.models import Evidence, Task, TaskState
from tests.tasks.conftest import VN, World, all_counts, assert_refused, on

pytestmark = pytest.mark.django_db

PDF_TYPE = "application/pdf"
PNG_TYPE = "image/png"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MiB = 1024 * 1024


# -- real small files ------------------------------------------------------------------------


def pdf_bytes(text: str = "Bao cao tien do", padding: int = 0) -> bytes:
    """A one-page PDF 1.4 with a correct cross-reference table (``padding`` spaces grow it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() + b" " * padding
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_of_size(size: int) -> bytes:
    """A PDF of exactly ``size`` bytes (the padding changes the length field and offsets: adjust until it fits)."""
    padding = 0
    data = pdf_bytes()
    while len(data) != size:
        padding += size - len(data)
        data = pdf_bytes(padding=padding)
    return data


def png_bytes() -> bytes:
    """A 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def docx_bytes() -> bytes:
    """A minimal WordprocessingML package, as Word writes it (python-docx is not a dependency of the project)."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{w}"><w:body>'
            "<w:p><w:r><w:t>Báo cáo kết quả rà soát thủ tục hành chính</w:t></w:r></w:p></w:body></w:document>"
        ),
    }
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Thủ tục", "Số hồ sơ"])
    sheet.append(["Cấp phép xây dựng", 12])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(names: list[str]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "nội dung")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def task(world: World) -> Task:
    return world.accept(world.assign())


# -- accepted --------------------------------------------------------------------------------


def test_a_progress_report_with_a_pdf_a_png_a_docx_and_an_xlsx(world: World, task: Task, media: Path) -> None:
    contents = {
        "Báo cáo tiến độ.pdf": pdf_bytes(),
        "anh-hien-truong.png": png_bytes(),
        "du-thao.docx": docx_bytes(),
        "so-lieu.xlsx": xlsx_bytes(),
    }
    assert contents["Báo cáo tiến độ.pdf"].startswith(b"%PDF-1.4")
    files = [upload(name, data) for name, data in contents.items()]  # the browser's word is ignored
    with on(date(2026, 3, 18), hour=14):
        report = services.report_progress(acting_user=world.owner_user, task=task, percent=40, files=files)

    rows = list(
        Evidence.objects.order_by("id").values_list(
            "task", "progress_report", "name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"
        )
    )
    at = datetime(2026, 3, 18, 14, tzinfo=VN)
    assert rows == [
        (task.pk, report.pk, name, kind, len(data), sha256(data), world.owner_user.pk, at)
        for (name, data), kind in zip(contents.items(), [PDF_TYPE, PNG_TYPE, DOCX_TYPE, XLSX_TYPE], strict=True)
    ]
    # stored under a random name with the extension of its kind, byte for byte
    for evidence, (name, data) in zip(Evidence.objects.order_by("id"), contents.items(), strict=True):
        stored = Path(evidence.file.path)
        assert stored.parent == media / "evidence" / "2026" / "03"
        assert stored.suffix == Path(name).suffix
        assert len(stored.stem) == 32
        assert stored.read_bytes() == data
    assert len(stored_files(media)) == 4

    event = AuditEvent.objects.order_by("-seq")[0]
    assert event.action == "tasks.task.report_progress"
    assert event.after is not None
    assert event.after["evidence"] == [
        {"id": e.pk, "name": e.name, "size": e.size, "sha256": e.sha256} for e in Evidence.objects.order_by("id")
    ]


def test_a_submission_with_evidence(world: World, task: Task, media: Path) -> None:
    data = pdf_bytes("Ket qua")
    task = services.submit_task(
        acting_user=world.owner_user,
        task=task,
        products_done={p.pk: True for p in task.products.all()},
        files=[upload("ket-qua.PDF", data, "text/plain")],
    )
    assert task.state == TaskState.SUBMITTED
    rows: list[tuple[object, ...]] = list(
        Evidence.objects.values_list("task", "progress_report", "name", "content_type", "size", "sha256")
    )
    assert rows == [(task.pk, None, "ket-qua.PDF", PDF_TYPE, len(data), sha256(data))]


def test_ten_files_and_a_file_of_exactly_the_limit_are_accepted(
    world: World, task: Task, media: Path, settings: Any
) -> None:
    settings.CONGVU_EVIDENCE_MAX_BYTES = MiB
    exact = pdf_of_size(MiB)
    files = [upload("lon.pdf", exact)] + [upload(f"anh-{i}.png", png_bytes()) for i in range(9)]
    services.report_progress(acting_user=world.owner_user, task=task, percent=10, files=files)
    assert Evidence.objects.count() == 10
    assert Evidence.objects.get(name="lon.pdf").size == MiB


# -- refused: nothing is written -------------------------------------------------------------


REFUSALS: list[tuple[str, list[tuple[str, bytes]], str]] = [
    ("empty file", [("rong.pdf", b"")], "Tệp “rong.pdf” rỗng."),
    (
        "a .pdf that is plain text",
        [("bao-cao.pdf", "Báo cáo tiến độ quý I\n".encode())],
        "Tệp “bao-cao.pdf” không phải là PDF, ảnh PNG/JPEG, Word (.docx) hoặc Excel (.xlsx).",
    ),
    (
        "a PNG named .pdf",
        [("anh-chup.pdf", png_bytes())],
        "Tên tệp “anh-chup.pdf” không khớp với nội dung tệp (PNG).",
    ),
    (
        "a PDF named .docx",
        [("du-thao.docx", pdf_bytes())],
        "Tên tệp “du-thao.docx” không khớp với nội dung tệp (PDF).",
    ),
    (
        "a zip that is neither docx nor xlsx",
        [("tai-lieu.docx", zip_bytes(["ghi-chu.txt"]))],
        "Tệp “tai-lieu.docx” không phải là PDF, ảnh PNG/JPEG, Word (.docx) hoặc Excel (.xlsx).",
    ),
    (
        "an Office package that is neither docx nor xlsx",
        [("trinh-chieu.docx", zip_bytes(["[Content_Types].xml", "ppt/presentation.xml"]))],
        "Tệp “trinh-chieu.docx” không phải là PDF, ảnh PNG/JPEG, Word (.docx) hoặc Excel (.xlsx).",
    ),
    (
        "a truncated zip",
        [("hong.xlsx", xlsx_bytes()[:40])],
        "Tệp “hong.xlsx” không phải là PDF, ảnh PNG/JPEG, Word (.docx) hoặc Excel (.xlsx).",
    ),
    (
        "a good file and then a bad one",
        [("tot.pdf", pdf_bytes()), ("xau.pdf", b"not a pdf")],
        "Tệp “xau.pdf” không phải là PDF, ảnh PNG/JPEG, Word (.docx) hoặc Excel (.xlsx).",
    ),
    (
        "over the size limit",
        [("lon.pdf", pdf_of_size(MiB + MiB // 2))],
        "Tệp “lon.pdf” có dung lượng 1.5 MB, vượt quá mức cho phép 1 MB.",
    ),
    (
        "one byte over the size limit",
        [("lon.pdf", pdf_of_size(MiB + 1))],
        "Tệp “lon.pdf” có dung lượng 1.1 MB, vượt quá mức cho phép 1 MB.",
    ),
    (
        "more than 10 files",
        [(f"anh-{i}.png", png_bytes()) for i in range(11)],
        "Mỗi lần chỉ được đính kèm tối đa 10 tệp.",
    ),
]


@pytest.mark.parametrize(("files", "message"), [pytest.param(f, m, id=n) for n, f, m in REFUSALS])
@pytest.mark.parametrize("how", ["report_progress", "submit_task"])
def test_refused_files_write_nothing(
    world: World, task: Task, media: Path, settings: Any, how: str, files: list[tuple[str, bytes]], message: str
) -> None:
    settings.CONGVU_EVIDENCE_MAX_BYTES = MiB
    uploads = [upload(name, data) for name, data in files]
    if how == "report_progress":
        assert_refused(
            lambda: services.report_progress(acting_user=world.owner_user, task=task, percent=50, files=uploads),
            message,
        )
    else:
        assert_refused(
            lambda: services.submit_task(acting_user=world.owner_user, task=task, products_done={}, files=uploads),
            message,
        )
    assert Evidence.objects.count() == 0
    assert stored_files(media) == []
    task.refresh_from_db()
    assert (task.state, task.version) == (TaskState.ACCEPTED, 2)
    assert all_counts()["ProgressReport"] == 0


def test_the_size_message_never_says_a_file_over_the_limit_is_under_it(
    world: World, task: Task, media: Path, settings: Any
) -> None:
    """A limit that is not a whole number of MB is shown as it is, not rounded up past the file's size."""
    settings.CONGVU_EVIDENCE_MAX_BYTES = MiB + MiB // 2  # 1.5 MB
    big = pdf_of_size(MiB + MiB * 6 // 10)  # 1.6 MB
    assert_refused(
        lambda: services.report_progress(
            acting_user=world.owner_user, task=task, percent=50, files=[upload("lon.pdf", big)]
        ),
        "Tệp “lon.pdf” có dung lượng 1.6 MB, vượt quá mức cho phép 1.5 MB.",
    )
