from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.formatting import vn_date
from demo.services import (
    DEMO_PASSWORD,
    demo_assessments_create,
    demo_figures_create,
    demo_inspections_create,
    demo_task_updates_create,
    demo_users_create,
    scale_figures_create,
)
from indicators.models import AgencyAssessment, Observation
from indicators.selectors import plan_current
from oversight.models import CentralIndicator
from tasks.models import TaskUpdate

#: the documented example of the central mapping (its codes are examples, "VD-…"), loaded for the demo only
CENTRAL_MAPPING_EXAMPLE = settings.BASE_DIR / "fixtures" / "central_mapping_example.xlsx"


class Command(BaseCommand):
    help = (
        "Tạo người dùng mẫu cho từng vai trò và số liệu mẫu (chỉ số hằng năm từ 2023, còn lại từ 2025) đến nay"
        " (--scale: dữ liệu lớn)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="Tạo số liệu đến ngày (YYYY-MM-DD).")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Mật khẩu của các tài khoản mẫu.")
        parser.add_argument(
            "--scale",
            type=int,
            metavar="YEAR",
            help="Thêm số liệu hằng tháng của mọi sở, ngành, xã, phường × mọi chỉ số từ 2025 đến hết năm YEAR.",
        )

    def handle(self, *args, **options):
        plan = plan_current()
        if plan is None:
            raise CommandError("Chưa có kế hoạch nào được nạp. Hãy chạy: python manage.py load_plan")
        as_of = options["as_of"] or timezone.localdate()
        if options["scale"]:
            total = scale_figures_create(
                plan=plan,
                until_year=options["scale"],
                progress=lambda n: self.stdout.write(f"  … {n:,} số liệu".replace(",", ".")),
            )
            self.stdout.write(self.style.SUCCESS(f"Đã thêm {total:,} số liệu.".replace(",", ".")))
            return
        users = demo_users_create(password=options["password"])
        if Observation.objects.filter(metric__plan=plan).exists():
            self.stdout.write("Đã có số liệu, không tạo thêm số liệu mẫu.")
        else:
            count = demo_figures_create(plan=plan, as_of=as_of)
            self.stdout.write(f"Đã tạo {count} số liệu mẫu đến ngày {vn_date(as_of)}.")
        if not TaskUpdate.objects.filter(task__plan=plan).exists():
            count = demo_task_updates_create(plan=plan, as_of=as_of)
            self.stdout.write(f"Đã tạo {count} báo cáo tiến độ nhiệm vụ mẫu.")
        # Leave the snapshots computed, so that the dashboards have something to show on the first run.
        call_command("recompute", as_of=as_of, stdout=self.stdout)
        if not AgencyAssessment.objects.filter(metric__plan=plan).exists():
            count = demo_assessments_create(plan=plan, as_of=as_of)
            self.stdout.write(f"Đã tạo {count} tự đánh giá của cơ quan.")
        count = demo_inspections_create(plan=plan, as_of=as_of)
        if count:
            self.stdout.write(f"Đã tạo các đợt kiểm tra mẫu với {count} kiến nghị.")
        if not CentralIndicator.objects.filter(metric__plan=plan).exists():
            # the shipped mapping is empty: the demo loads the documented example, so that the periodic report
            # shows its file for the centre (replace it with the centre's codes before reporting for real)
            call_command("import_central_mapping", str(CENTRAL_MAPPING_EXAMPLE), stdout=self.stdout)
            self.stdout.write("Đã nạp bảng quy đổi chỉ tiêu Trung ương MẪU (mã “VD-…”): thay bằng bảng của Trung ương.")
        self.stdout.write(self.style.SUCCESS(f"\nTài khoản mẫu (mật khẩu chung: {options['password']}):"))
        for spec, user in users:
            agency = f" – {user.agency.name}" if user.agency else ""
            self.stdout.write(f"  {spec.username:<15} {user.get_role_display()}{agency}")
