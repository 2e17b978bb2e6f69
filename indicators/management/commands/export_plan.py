import json

from django.core.management.base import BaseCommand, CommandError

from indicators.models import Plan
from indicators.selectors import plan_current, plan_export


class Command(BaseCommand):
    help = "In kế hoạch đã nạp dưới dạng JSON (cấu trúc: docs/export-schema.md)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Số, ký hiệu kế hoạch (mặc định: kế hoạch mới nhất).")

    def handle(self, *args, **options):
        plan = Plan.objects.filter(code=options["plan"]).first() if options["plan"] else plan_current()
        if plan is None:
            raise CommandError("Chưa có kế hoạch nào được nạp. Hãy chạy: python manage.py load_plan")
        self.stdout.write(json.dumps(plan_export(plan), ensure_ascii=False, indent=2))
