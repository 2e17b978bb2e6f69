import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.formatting import format_vn_number, vn_date
from indicators.models import Target, TargetStatus
from indicators.progress import explain_vi
from indicators.selectors import plan_current, target_explain, target_spec

_METHODS = {
    "growth": "tốc độ tăng trưởng kép (Open SDG)",
    "linear": "thu hẹp khoảng cách tuyến tính",
    "flow_year": "số lượng trong năm so với chỉ tiêu năm",
    "qualitative": "định tính",
    "": "—",
}
_OPERATORS = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}


def _num(value) -> str:
    return "—" if value is None else format_vn_number(round(value, 4))


class Command(BaseCommand):
    help = "Giải thích trạng thái của một ô mục tiêu, ví dụ: explain_target V.1 2030 [--as-of 2027-06-30] [--json]."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Mã chỉ tiêu, ví dụ V.1")
        parser.add_argument("year", type=int, help="Mốc năm: 2030, 2035, 2040 hoặc 2045")
        parser.add_argument("--as-of", type=date.fromisoformat, help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options):
        plan = plan_current()
        if plan is None:
            raise CommandError("Chưa có kế hoạch nào được nạp. Hãy chạy: python manage.py load_plan")
        as_of = options["as_of"] or timezone.localdate()
        code, year = options["code"], options["year"]
        try:
            results = target_explain(code=code, year=year, as_of=as_of, plan=plan)
        except Target.DoesNotExist:
            raise CommandError(f"Không có ô mục tiêu {code} năm {year} trong kế hoạch {plan.code}.") from None
        labels = dict(TargetStatus.Status.choices)
        if options["json"]:
            payload = [
                {
                    "indicator": code,
                    "year": year,
                    "metric": parsed.metric.code,
                    "fragment": parsed.fragment,
                    "status": result.status,
                    "status_label": str(labels[result.status]),
                    "method": result.method,
                    "ratio": result.ratio,
                    "baseline": {"date": result.baseline.on.isoformat(), "value": result.baseline.value}
                    if result.baseline
                    else None,
                    "latest": {"date": result.latest.on.isoformat(), "value": result.latest.value}
                    if result.latest
                    else None,
                    "expected_value": result.expected_value,
                    "explanation": {
                        **result.explanation,
                        **explain_vi(target_spec(parsed, plan_start=plan.issued_on), result, unit=parsed.metric.unit),
                    },
                }
                for parsed, result in results
            ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Chỉ tiêu {code} – mốc {year}, tính đến ngày {vn_date(as_of)}")
        if not results:
            self.stdout.write("  Ô này không có mục tiêu định lượng (định tính hoặc để trống).")
        for parsed, result in results:
            target = (
                f"{_num(float(parsed.value))}–{_num(float(parsed.value_max))}"
                if parsed.operator == "range"
                else f"{_OPERATORS[parsed.operator]} {_num(float(parsed.value))}"
            )
            self.stdout.write(f"\n  {parsed.metric.name} ({parsed.metric.code})")
            self.stdout.write(f"    Mục tiêu:        {target} {parsed.metric.unit} đến hết năm {year}")
            self.stdout.write(f"    Trạng thái:      {labels[result.status]}")
            self.stdout.write(f"    Phương pháp:     {_METHODS.get(result.method, result.method)}")
            for label, point in (("Giá trị gốc:", result.baseline), ("Mới nhất:", result.latest)):
                shown = f"{_num(point.value)} ({vn_date(point.on)})" if point else "—"
                self.stdout.write(f"    {label:<16} {shown}")
            self.stdout.write(f"    Cần đạt đến nay: {_num(result.expected_value)}")
            self.stdout.write(f"    Tỷ số tiến độ:   {_num(result.ratio)}")
            words = explain_vi(target_spec(parsed, plan_start=plan.issued_on), result, unit=parsed.metric.unit)
            self.stdout.write(f"    Diễn giải:       {words['summary']}")
