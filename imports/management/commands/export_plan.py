import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.plan import plan_workbook
from imports.plan_data import plan_export
from indicators.models import Plan
from indicators.selectors import plan_current


class Command(BaseCommand):
    help = (
        "In kế hoạch đã nạp dưới dạng JSON (cấu trúc: docs/export-schema.md), "
        "hoặc ghi bảng tính theo mẫu Phụ lục I, II (--xlsx TỆP)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Số, ký hiệu kế hoạch (mặc định: kế hoạch mới nhất).")
        parser.add_argument("--xlsx", metavar="FILE", help="Ghi bảng tính .xlsx (nạp lại được bằng load_plan FILE).")

    def handle(self, *args, **options):
        plan = Plan.objects.filter(code=options["plan"]).first() if options["plan"] else plan_current()
        if plan is None:
            raise CommandError("Chưa có kế hoạch nào được nạp. Hãy chạy: python manage.py load_plan")
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(plan_workbook(plan))
            self.stdout.write(self.style.SUCCESS(f"Đã ghi {options['xlsx']}."))
            return
        self.stdout.write(json.dumps(plan_export(plan), ensure_ascii=False, indent=2))
