"""The shared body of the import_* management commands: same validation and messages as the web pages."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency

from .batches import import_preview, import_run
from .reading import FileProblem, check_size


class ImportCommand(BaseCommand):
    kind = ""
    allows_agency = False
    allows_approve = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx hoặc .csv (xem docs/import-export.md).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra và báo kết quả, không ghi gì.")
        if self.allows_agency:
            parser.add_argument("--agency", help="Mã cơ quan: mọi dòng phải thuộc cơ quan này.")
        if self.allows_approve:
            parser.add_argument("--approve", action="store_true", help="Ghi là đã duyệt (mặc định: đã gửi, chờ duyệt).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            check_size(path.stat().st_size)
        except FileProblem as exc:
            raise CommandError(exc.errors[0]) from exc
        agency = None
        if options.get("agency"):
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mã “{options['agency']}”.")
        content = path.read_bytes()
        kwargs = {"kind": self.kind, "content": content, "filename": path.name, "only_agency": agency}
        kwargs["approve"] = bool(options.get("approve"))
        if options["dry_run"]:
            preview = import_preview(**kwargs)
        else:
            preview, _batch = import_run(**kwargs)
        for message in preview.errors:  # the file's, then the rows' (the first PREVIEW_ERRORS_KEPT)
            self.stderr.write(message)
        summary = preview.summary_text()
        if not preview.is_valid:
            raise CommandError(f"Tệp có lỗi, không có gì được ghi ({summary}).")
        if options["dry_run"]:
            self.stdout.write(f"Kiểm tra xong, không ghi gì (--dry-run): {summary}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Đã ghi: {summary}."))
