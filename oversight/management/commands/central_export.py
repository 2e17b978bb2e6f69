import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.formatting import format_vn_number, vn_date
from indicators.selectors import plan_current
from oversight.centre import FRESHNESS_WORDS, central_xlsx
from oversight.selectors import CentralMappingMissing, central_export_collect, period_for_export


class Command(BaseCommand):
    help = (
        "Số liệu báo cáo hệ thống giám sát, đánh giá thực hiện Nghị quyết 57-NQ/TW của Trung ương cho một kỳ: "
        "mỗi chỉ tiêu TW một dòng, giá trị đã phê duyệt mới nhất đến hết kỳ, quy đổi theo bảng quy đổi "
        "(import_central_mapping). Không ghi gì vào cơ sở dữ liệu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="Kỳ báo cáo: 2026-Q3, 2026-T09, 2026-H1, 2026 hoặc Quý III/2026."
        )
        parser.add_argument(
            "--as-of", type=date.fromisoformat, help="Số liệu tính đến ngày (YYYY-MM-DD), mặc định hôm nay."
        )
        parser.add_argument("--xlsx", metavar="FILE", help="Ghi tệp Excel (mỗi chỉ tiêu TW một dòng).")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options):
        plan = plan_current()
        if plan is None:
            raise CommandError("Chưa có kế hoạch nào được nạp. Hãy chạy: python manage.py load_plan")
        try:
            period = period_for_export(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        as_of = options["as_of"] or timezone.localdate()
        try:
            export = central_export_collect(plan=plan, period=period, as_of=as_of).as_json()
        except CentralMappingMissing as exc:
            raise CommandError(str(exc)) from exc
        if options["xlsx"]:
            path = Path(options["xlsx"])
            try:
                path.write_bytes(central_xlsx(export))
            except OSError as exc:
                raise CommandError(f"Không ghi được tệp {path}: {exc.strerror or exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(export, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{export['period_label']} ({export['period']}), số liệu tính đến ngày {vn_date(as_of)}")
        for item in export["items"]:
            value = format_vn_number(item["value"]) if item["value"] is not None else "—"
            self.stdout.write(
                f"  {item['code']:<14} {value:>16} {item['unit']:<12} {item['period_label'] or '':<22} "
                f"{FRESHNESS_WORDS.get(item['freshness'], item['freshness'])}"
            )
        self.stdout.write(f"\nChỉ số chưa quy đổi ({len(export['unmapped'])}): {', '.join(export['unmapped'])}")
        self.stdout.write(f"Chỉ tiêu TW chưa có số liệu ({len(export['no_value'])}): {', '.join(export['no_value'])}")
        if options["xlsx"]:
            self.stdout.write(self.style.SUCCESS(f"Đã ghi {options['xlsx']}."))
