"""Uploaded files: what they really are (sniffed from their bytes) and how big they read.

Shared by task evidence and public feedback attachments: a file's kind is never taken from
its name or from what the browser says.
"""

from __future__ import annotations

import math
import zipfile
from typing import Final, Protocol

from django.core.files.base import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# kind → (content type, extensions)
KINDS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
}


def sniff(upload: File) -> str | None:  # type: ignore[type-arg]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def file_size(n: int, *, up: bool) -> str:
    """``n`` bytes in MB (one decimal) or KB, rounded up for a file and down for a limit, so that a refused
    file never reads as smaller than the limit."""
    unit, label = (1048576, "MB") if n >= 1048576 else (1024, "KB")
    scale = 10 if label == "MB" else 1
    value = (math.ceil if up else math.floor)(n * scale / unit) / scale
    return f"{value:.1f}".removesuffix(".0") + f" {label}" if label == "MB" else f"{int(value)} {label}"


class StoredFile(Protocol):
    """A stored upload (evidence, attachment) with its original name and sniffed content type."""

    file: FieldFile
    name: str
    content_type: str


def download(item: StoredFile | None) -> FileResponse:
    """The file as an attachment (never rendered inline), or 404 when missing here or on disk."""
    if item is None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=item.name, content_type=item.content_type)
