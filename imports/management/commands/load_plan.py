from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.services import agencies_load, localities_load
from imports.plan import plan_workbook_read
from imports.plan_data import PlanDataError, plan_load


class Command(BaseCommand):
    help = "Nạp Kế hoạch 65-KH/TU (hoặc một kế hoạch cùng cấu trúc) cùng danh sách cơ quan, xã, phường."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            help="Tệp kế hoạch YAML/JSON hoặc bảng tính .xlsx theo mẫu Phụ lục I, II (mặc định: kế hoạch đi kèm).",
        )
        parser.add_argument("--agencies", help="Tệp danh sách cơ quan (mặc định: fixtures/agencies.yaml).")
        parser.add_argument("--localities", help="Tệp CSV xã, phường (mặc định: fixtures/localities_hung_yen.csv).")

    def handle(self, *args, **options):
        plan_path = Path(options["file"] or settings.PLAN_FIXTURE)
        agencies_path = Path(options["agencies"] or settings.AGENCIES_FIXTURE)
        localities_path = Path(options["localities"] or settings.LOCALITIES_FIXTURE)
        for path in (plan_path, agencies_path, localities_path):
            if not path.exists():
                raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            with transaction.atomic():  # a bad plan file leaves the agencies untouched too
                counts = agencies_load(data=_read(agencies_path))
                self.stdout.write(f"Cơ quan, tên gọi tập thể: {counts}")
                counts = localities_load(path=localities_path)
                self.stdout.write(f"Xã, phường: {counts}")
                data = _read_plan(plan_path)
                counts = plan_load(data=data)
        except PlanDataError as exc:
            problems = "\n- ".join(exc.errors)
            raise CommandError(f"Dữ liệu kế hoạch không hợp lệ, không có gì được ghi:\n- {problems}") from exc
        except (ValueError, yaml.YAMLError) as exc:
            raise CommandError(f"Dữ liệu không hợp lệ, không có gì được ghi: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Kế hoạch: {counts}"))


def _read_plan(path: Path) -> dict:
    if path.suffix.lower() == ".xlsx":
        return plan_workbook_read(path.read_bytes(), path.name)
    return _read(path)


def _read(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)  # JSON is valid YAML, so one reader takes both
