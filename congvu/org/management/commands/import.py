"""``congvu import org|dossiers FILE [--as USERNAME] [--dry-run]``: the all-or-nothing imports.

``org`` reads the organisation workbook (units, people, appointments; ``congvu.org.importer``),
``dossiers`` a CSV, JSON or .xlsx file of one-stop dossiers (``congvu.dossiers.importer``; with
``--as``, only the units in that user's ``org.import`` scope).
Progress goes to stderr. When the file has problems, each is printed on stdout as
``Sheet!Row:Column — message``, nothing is written and the exit status is 1; otherwise
the numbers of created, updated and unchanged objects are printed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congvu.org.importer import ImportReport, import_org_workbook

_LABELS = {"units": gettext_lazy("Đơn vị"), "people": gettext_lazy("Cán bộ"), "appointments": gettext_lazy("Bổ nhiệm")}


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = "Import data, all or nothing (org: units, people and appointments; dossiers: one-stop dossiers)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        org = sub.add_parser("org", help="units (DonVi), people (CanBo) and appointments (BoNhiem) from an .xlsx file")
        org.add_argument("file", type=Path, help="the .xlsx workbook (download the template from the import page)")
        org.add_argument("--as", dest="acting_username", metavar="USERNAME", help="the user the audit log names")
        org.add_argument("--dry-run", action="store_true", help="check the file and count, write nothing")
        dossiers = sub.add_parser("dossiers", help="one-stop dossiers from a CSV, JSON or .xlsx file")
        dossiers.add_argument("file", type=Path, help="the file (columns: see congvu/dossiers/importer.py)")
        dossiers.add_argument(
            "--as", dest="acting_username", metavar="USERNAME", help="the user the audit log names (and whose scope)"
        )
        dossiers.add_argument("--dry-run", action="store_true", help="check the file and count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        acting_user = None
        if options["acting_username"]:
            user_model = get_user_model()
            acting_user = user_model.objects.filter(username=options["acting_username"]).first()
            if acting_user is None:
                raise CommandError(_("Không có người dùng “%(name)s”.") % {"name": options["acting_username"]})
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})

        def progress(done: int, total: int) -> None:
            self.stderr.write(_("Đã đọc %(done)d/%(total)d dòng") % {"done": done, "total": total}, style_func=_plain)

        if options["what"] == "dossiers":
            self._dossiers(acting_user, path, progress, options["dry_run"])
            return
        report = import_org_workbook(
            acting_user=acting_user, source=path, progress=progress, dry_run=options["dry_run"]
        )
        if not report.ok:
            for issue in report.issues:
                self.stdout.write(str(issue))
            raise CommandError(_("Tệp có lỗi; không có dữ liệu nào được ghi."), returncode=1)
        self._print_counts(report)

    def _dossiers(self, acting_user: Any, path: Path, progress: Callable[[int, int], None], dry_run: bool) -> None:
        from congvu.dossiers.importer import import_dossiers  # dossiers sit above org: imported only here

        report = import_dossiers(acting_user=acting_user, source=path, progress=progress, dry_run=dry_run)
        if not report.ok:
            for issue in report.issues:
                self.stdout.write(str(issue))
            raise CommandError(_("Tệp có lỗi; không có dữ liệu nào được ghi."), returncode=1)
        if dry_run:
            self.stdout.write(_("Chạy thử: tệp hợp lệ, không có dữ liệu nào được ghi."))
        self.stdout.write(
            _("%(label)s: tạo mới %(created)d, cập nhật %(updated)d, không đổi %(unchanged)d")
            % {
                "label": _("Hồ sơ"),
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )

    def _print_counts(self, report: ImportReport) -> None:
        if report.dry_run:
            self.stdout.write(_("Chạy thử: tệp hợp lệ, không có dữ liệu nào được ghi."))
        for key, label in _LABELS.items():
            self.stdout.write(
                _("%(label)s: tạo mới %(created)d, cập nhật %(updated)d, không đổi %(unchanged)d")
                % {
                    "label": label,
                    "created": report.created[key],
                    "updated": report.updated[key],
                    "unchanged": report.unchanged[key],
                }
            )
