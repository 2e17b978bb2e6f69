from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from adjustments.describe import change_line
from adjustments.services import AdjustmentRefused, adjustment_approve, adjustment_create, changes_from_plan_data
from core.formatting import vn_date
from imports.plan import plan_workbook_read
from imports.plan_data import PlanDataError
from indicators.models import Plan


class Command(BaseCommand):
    help = (
        "Điều chỉnh kế hoạch theo một quyết định, từ ngày có hiệu lực: đọc bảng tính kế hoạch (như export_plan --xlsx "
        "ghi, đã sửa), so với kế hoạch có hiệu lực ngày đó, in mỗi thay đổi một dòng (trước → sau) và ghi thành "
        "một điều chỉnh chờ Văn phòng Tỉnh ủy phê duyệt (--approve: phê duyệt luôn). docs/adjustments.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Bảng tính kế hoạch .xlsx (export_plan --xlsx), đã sửa.")
        parser.add_argument("--decision", required=True, help="Số, ký hiệu của quyết định, ví dụ “125-QĐ/TU”.")
        parser.add_argument("--signed-on", required=True, type=date.fromisoformat, help="Ngày ký (YYYY-MM-DD).")
        parser.add_argument("--effective", required=True, type=date.fromisoformat, help="Có hiệu lực từ (YYYY-MM-DD).")
        parser.add_argument("--issuer", default="", help="Cơ quan ban hành (mặc định: Ban Thường vụ Tỉnh ủy).")
        parser.add_argument("--summary", default="", help="Trích yếu của quyết định.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ in các thay đổi, không ghi gì.")
        parser.add_argument("--approve", action="store_true", help="Phê duyệt ngay (quản trị hệ thống).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            data = plan_workbook_read(path.read_bytes(), path.name)
        except PlanDataError as exc:
            raise CommandError(self._refused(exc.errors)) from exc
        plan = Plan.objects.filter(code=str(data["plan"]["code"])).first()
        if plan is None:
            raise CommandError(
                f"Chưa nạp kế hoạch {data['plan']['code']}: nạp kế hoạch như ban hành bằng load_plan trước, "
                "không có gì được ghi."
            )
        effective = options["effective"]
        try:
            changes = changes_from_plan_data(plan=plan, data=data, effective_on=effective)
            units = {m.code: m.unit for m in plan.metrics.all()}
            units.update({c.code: c.new.get("unit", "") for c in changes if c.subject == "metric" and c.new})
            self.stdout.write(
                f"Quyết định {options['decision']}, có hiệu lực từ {vn_date(effective)}: {len(changes)} thay đổi "
                f"so với kế hoạch có hiệu lực ngày {vn_date(effective)}."
            )
            for change in changes:
                self.stdout.write(change_line(change, units))
            if options["dry_run"]:
                self.stdout.write("Chạy thử (--dry-run): không có gì được ghi.")
                return
            with transaction.atomic():
                adjustment = adjustment_create(
                    plan=plan,
                    decision_number=options["decision"],
                    signed_on=options["signed_on"],
                    effective_on=effective,
                    issuer=options["issuer"],
                    summary=options["summary"],
                    changes=changes,
                )
                if options["approve"]:
                    adjustment_approve(adjustment=adjustment, user=None)
        except AdjustmentRefused as exc:
            raise CommandError(self._refused(exc.messages)) from exc
        if options["approve"]:
            self.stdout.write(
                self.style.SUCCESS(f"Đã phê duyệt điều chỉnh số {adjustment.pk}: có hiệu lực từ {vn_date(effective)}.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã ghi dự thảo điều chỉnh số {adjustment.pk}: chờ Văn phòng Tỉnh ủy phê duyệt tại "
                    "/ke-hoach/dieu-chinh/."
                )
            )

    @staticmethod
    def _refused(messages: list[str]) -> str:
        problems = "\n- ".join(messages)
        return f"Không điều chỉnh được, không có gì được ghi:\n- {problems}"
