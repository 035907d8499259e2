"""Excel import pages: upload, template download and progress (polled with htmx)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from congvu.accounts.scope import scope_paths, signed_in
from congvu.core.policy import Cap
from congvu.org.forms import ImportForm
from congvu.org.importer import build_template
from congvu.org.models import ImportRun
from congvu.org.tasks import run_import

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.CONGVU_IMPORT_MAX_BYTES:
            form.add_error(
                "file", _("Tệp quá lớn (tối đa %(mb)d MB).") % {"mb": settings.CONGVU_IMPORT_MAX_BYTES // 2**20}
            )
        else:
            folder = Path(settings.MEDIA_ROOT) / "imports"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{uuid.uuid4().hex}.xlsx"
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            user = signed_in(request)
            with transaction.atomic():
                run = ImportRun.objects.create(
                    created_by=user,
                    file_name=upload.name[:255],
                    file_path=str(target),
                    scope_paths=scope_paths(user, Cap.ORG_IMPORT),  # the import touches only these subtrees
                )
                transaction.on_commit(lambda: run_import(run.pk))
            return redirect("org:import_status", pk=run.pk)
    runs = ImportRun.objects.filter(created_by_id=request.user.pk)[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "org/import.html", {"form": form, "runs": runs}, status=status)


@require_GET
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(build_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="congvu-mau-nhap-to-chuc.xlsx"'
    return response


@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """An import run is visible to the user who started it (others: 404)."""
    run = ImportRun.objects.filter(pk=pk, created_by_id=request.user.pk).first()
    if run is None:
        raise Http404
    template_name = "org/_import_status.html" if request.htmx else "org/import_status.html"  # type: ignore[attr-defined]
    return render(request, template_name, {"run": run})
