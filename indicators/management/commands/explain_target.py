import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.formatting import format_vn_number, vn_date
from indicators import readings
from indicators.models import Target, TargetStatus
from indicators.selectors import plan_current
from indicators.statuses import coverage, latest_text, status_claim, status_label, target_statuses_compute

_METHODS = {
    "growth": "tốc độ tăng trưởng kép (Open SDG)",
    "linear": "thu hẹp khoảng cách tuyến tính",
    "flow_year": "số lượng trong năm so với chỉ tiêu năm",
    "qualitative": "định tính",
    "": "—",
}
_OPERATORS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}


def _float(value) -> float | None:
    return None if value is None else float(value)


def _num(value) -> str:
    return "—" if value is None else format_vn_number(round(value, 4))


class Command(BaseCommand):
    help = "Giải thích trạng thái của một ô mục tiêu, ví dụ: explain_target V.1 2030 [--as-of 2027-06-30] [--json]."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Mã chỉ tiêu, ví dụ V.1")
        parser.add_argument("year", type=int, help="Mốc năm: 2030, 2035, 2040 hoặc 2045")
        parser.add_argument("--as-of", type=date.fromisoformat, help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay.")
        parser.add_argument(
            "--reading",
            choices=readings.READINGS,
            default=readings.DEFAULT,
            help="Với ngày đã qua: as_known (mặc định) — số liệu tại thời điểm đó, chỉ gồm số liệu đã duyệt đến "
            "ngày đó; current — số liệu hiện có cho các kỳ đến ngày đó.",
        )
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options):
        plan = plan_current()
        if plan is None:
            raise CommandError("Chưa có kế hoạch nào được nạp. Hãy chạy: python manage.py load_plan")
        as_of = options["as_of"] or timezone.localdate()
        reading = options["reading"]
        code, year = options["code"], options["year"]
        # the cell in force on the as-of date: a target raised from a later date is judged by the aim of that day
        target = Target.objects.in_force(as_of).filter(indicator__plan=plan, indicator__code=code, year=year).first()
        if target is None:
            if Target.objects.filter(indicator__plan=plan, indicator__code=code, year=year).exists():
                raise CommandError(f"Ô mục tiêu {code} năm {year} không có hiệu lực ngày {vn_date(as_of)}.")
            raise CommandError(f"Không có ô mục tiêu {code} năm {year} trong kế hoạch {plan.code}.")
        # the same computation every page, report and the API read (indicators/statuses.py)
        metric_ids = set(target.parsed_targets.values_list("metric_id", flat=True))
        rows = [
            row
            for row in target_statuses_compute(as_of=as_of, plan=plan, metric_ids=metric_ids, reading=reading)
            if row.parsed_target.target_id == target.pk
        ]
        rows.sort(key=lambda row: row.parsed_target.position)
        if options["json"]:
            payload = [
                {
                    "indicator": code,
                    "year": year,
                    "metric": row.parsed_target.metric.code,
                    "fragment": row.parsed_target.fragment,
                    "as_of": as_of.isoformat(),
                    "reading": reading,
                    **status_claim(row),
                    "freshness_label": str(TargetStatus.Freshness(row.freshness).label),
                    "latest_text": latest_text(row, row.parsed_target.metric.unit),
                    "method": row.method,
                    "ratio": _float(row.ratio),
                    "baseline": {"date": row.baseline_date.isoformat(), "value": _float(row.baseline_value)}
                    if row.baseline_date
                    else None,
                    "expected_value": _float(row.expected_value),
                    "explanation": row.explanation,
                }
                for row in rows
            ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Chỉ tiêu {code} – mốc {year}, tính đến ngày {vn_date(as_of)}")
        self.stdout.write(f"  {readings.SENTENCES_VI[reading].format(day=vn_date(as_of))}")
        if not rows:
            self.stdout.write("  Ô này không có mục tiêu định lượng (định tính hoặc để trống).")
        for row in rows:
            parsed = row.parsed_target
            target_text = (
                f"{_num(float(parsed.value))}–{_num(float(parsed.value_max))}"
                if parsed.operator == "range"
                else f"{_OPERATORS[parsed.operator]} {_num(float(parsed.value))}"
            )
            self.stdout.write(f"\n  {parsed.metric.name} ({parsed.metric.code})")
            self.stdout.write(f"    Mục tiêu:        {target_text} {parsed.metric.unit} đến hết năm {year}")
            self.stdout.write(f"    Trạng thái:      {status_label(row)}")
            self.stdout.write(f"    Số liệu:         {TargetStatus.Freshness(row.freshness).label}")
            self.stdout.write(f"    Phương pháp:     {_METHODS.get(row.method, row.method)}")
            baseline = (
                f"{_num(_float(row.baseline_value))} ({vn_date(row.baseline_date)})" if row.baseline_date else "—"
            )
            self.stdout.write(f"    Giá trị gốc:     {baseline}")
            self.stdout.write(f"    Mới nhất:        {latest_text(row, parsed.metric.unit) or '—'}")
            covered = coverage(row)
            if covered and covered["expected"] > 1:
                low = " — chưa đủ cơ quan báo cáo" if covered["low"] else ""
                self.stdout.write(
                    f"    Độ phủ:          {covered['reporters']}/{covered['expected']} cơ quan có số liệu{low}"
                )
            self.stdout.write(f"    Cần đạt đến nay: {_num(_float(row.expected_value))}")
            self.stdout.write(f"    Tỷ số tiến độ:   {_num(_float(row.ratio))}")
            self.stdout.write(f"    Diễn giải:       {row.explanation.get('summary', '')}")
