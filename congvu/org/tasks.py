"""Background jobs of the registry (huey)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from congvu.org.importer import import_org_workbook
from congvu.org.models import ImportRun

logger = logging.getLogger(__name__)


@db_task(retries=0)  # type: ignore[untyped-decorator]
def run_import(run_id: int) -> None:
    """Run an uploaded import; its progress is written to the ``ImportRun`` row."""
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.state != ImportRun.State.QUEUED:
        return  # already taken by another worker, or a retry after completion
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.RUNNING)

    def progress(done: int, total: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(processed_rows=done, total_rows=total)

    path = Path(run.file_path)
    try:
        report = import_org_workbook(
            acting_user=run.created_by, source=path, progress=progress, scope_paths=run.scope_paths
        )
    except Exception:
        # The import's own transaction rolled back, so nothing was written; the run must not stay "running".
        logger.exception("import run %s failed", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(
            state=ImportRun.State.FAILED,
            errors=[
                {
                    "sheet": "",
                    "row": None,
                    "column": None,
                    "message": _("Lỗi hệ thống khi nhập; không có dữ liệu nào được ghi. Vui lòng thử lại."),
                }
            ],
            finished_at=timezone.now(),
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.DONE if report.ok else ImportRun.State.FAILED,
        errors=[issue.as_dict() for issue in report.issues],
        summary=report.summary(),
        finished_at=timezone.now(),
    )
