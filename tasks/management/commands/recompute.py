from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.formatting import vn_date
from indicators.services import target_statuses_recompute
from tasks.services import report_timeliness_recompute, task_occurrences_recompute


class Command(BaseCommand):
    help = (
        "Tính lại trạng thái mọi mục tiêu (lưu theo ngày), các lượt đến hạn của nhiệm vụ và tình trạng nộp báo "
        "cáo tính đến một ngày. Chạy ngay trong tiến trình, không cần Redis."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay.")

    def handle(self, *args, **options):
        as_of = options["as_of"] or timezone.localdate()
        targets = target_statuses_recompute(as_of=as_of)
        occurrences = task_occurrences_recompute(as_of=as_of)
        reports = report_timeliness_recompute(as_of=as_of)
        self.stdout.write(
            self.style.SUCCESS(
                f"Tính đến ngày {vn_date(as_of)}: {targets} trạng thái mục tiêu, "
                f"{occurrences} lượt đến hạn của nhiệm vụ, {reports} kỳ báo cáo của các cơ quan."
            )
        )
