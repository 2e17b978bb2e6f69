import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.plan import plan_workbook
from imports.plan_data import plan_export
from indicators.models import Plan
from indicators.selectors import plan_current


class Command(BaseCommand):
    help = (
        "In kế hoạch có hiệu lực tại một ngày (mặc định hôm nay) dưới dạng JSON (cấu trúc: docs/export-schema.md), "
        "hoặc ghi bảng tính theo mẫu Phụ lục I, II (--xlsx TỆP)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Số, ký hiệu kế hoạch (mặc định: kế hoạch mới nhất).")
        parser.add_argument(
            "--xlsx", metavar="FILE", help="Ghi bảng tính .xlsx (sửa rồi đưa vào adjust_plan để điều chỉnh)."
        )
        parser.add_argument(
            "--as-of", type=date.fromisoformat, help="Kế hoạch có hiệu lực tại ngày này (YYYY-MM-DD), mặc định hôm nay."
        )

    def handle(self, *args, **options):
        plan = Plan.objects.filter(code=options["plan"]).first() if options["plan"] else plan_current()
        if plan is None:
            raise CommandError("Chưa có kế hoạch nào được nạp. Hãy chạy: python manage.py load_plan")
        as_of = options["as_of"]
        if as_of is not None and as_of < plan.issued_on:
            raise CommandError(
                f"Kế hoạch {plan.code} ban hành ngày {plan.issued_on:%d/%m/%Y}: trước đó chưa có hiệu lực."
            )
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(plan_workbook(plan, as_of=as_of))
            self.stdout.write(self.style.SUCCESS(f"Đã ghi {options['xlsx']}."))
            return
        self.stdout.write(json.dumps(plan_export(plan, as_of=as_of), ensure_ascii=False, indent=2))
