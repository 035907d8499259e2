"""Evidence files (minh chứng) of progress reports and submissions: checked, stored, hashed.

A file is accepted only when its content is one of the allowed kinds (sniffed from its
first bytes, not taken from its name or the browser's word), its name's extension agrees
with that content, and it is not larger than ``CONGVU_EVIDENCE_MAX_BYTES``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from pathlib import PurePath
from typing import Final

from django.conf import settings
from django.core.files.base import File
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.core.files import KINDS, file_size, sniff
from congvu.tasks.models import Evidence, ProgressReport, Task

MAX_FILES: Final = 10


class EvidenceError(ValueError):
    """A file refused as evidence, with a Vietnamese message."""


def check_files(files: Sequence[File]) -> list[tuple[File, str]]:  # type: ignore[type-arg]
    """Each file with its kind, or :class:`EvidenceError` naming the first bad file."""
    if len(files) > MAX_FILES:
        raise EvidenceError(_("Mỗi lần chỉ được đính kèm tối đa %(n)s tệp.") % {"n": MAX_FILES})
    limit: int = settings.CONGVU_EVIDENCE_MAX_BYTES
    checked = []
    for upload in files:
        name = PurePath(str(upload.name or "")).name
        size = upload.size or 0
        if size == 0:
            raise EvidenceError(_("Tệp “%(name)s” rỗng.") % {"name": name})
        if size > limit:
            raise EvidenceError(
                _("Tệp “%(name)s” có dung lượng %(size)s, vượt quá mức cho phép %(limit)s.")
                % {"name": name, "size": file_size(size, up=True), "limit": file_size(limit, up=False)}
            )
        kind = sniff(upload)
        if kind is None:
            raise EvidenceError(
                _("Tệp “%(name)s” không phải là PDF, ảnh PNG/JPEG, Word (.docx) hoặc Excel (.xlsx).") % {"name": name}
            )
        if not name.lower().endswith(KINDS[kind][1]):
            raise EvidenceError(
                _("Tên tệp “%(name)s” không khớp với nội dung tệp (%(kind)s).") % {"name": name, "kind": kind.upper()}
            )
        checked.append((upload, kind))
    return checked


def store(
    checked: Sequence[tuple[File, str]],  # type: ignore[type-arg]
    *,
    acting_user: User,
    task: Task,
    report: ProgressReport | None = None,
) -> list[Evidence]:
    """Save checked files under a random name and record them; returns the rows (for the audit event)."""
    rows = []
    for upload, kind in checked:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        original = PurePath(str(upload.name or "")).name[:255]
        evidence = Evidence(
            task=task,
            progress_report=report,
            name=original,
            content_type=KINDS[kind][0],
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
        )
        evidence.file.save(f"{secrets.token_hex(16)}{KINDS[kind][1][0]}", upload, save=False)
        evidence.save()
        rows.append(evidence)
    return rows


def describe(rows: Sequence[Evidence]) -> list[dict[str, object]]:
    return [{"id": e.pk, "name": e.name, "size": e.size, "sha256": e.sha256} for e in rows]
