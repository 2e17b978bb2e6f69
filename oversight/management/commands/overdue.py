import json
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from agencies.models import Agency
from core.formatting import vn_date
from indicators.selectors import plan_current
from oversight.selectors import recommendations_overdue
from tasks.models import TaskOccurrence
from tasks.selectors import report_timeliness_rows, task_occurrence_rows


class Command(BaseCommand):
    help = (
        "Liệt kê các nhiệm vụ quá hạn (số nhiệm vụ, cơ quan, hạn, số ngày chậm), các kiến nghị sau kiểm tra quá hạn "
        "và các báo cáo chưa nộp, tính đến một ngày (không ghi gì vào cơ sở dữ liệu)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options):
        as_of = options["as_of"] or timezone.localdate()
        overdue = [o for o in task_occurrence_rows(as_of=as_of) if o.status == TaskOccurrence.Status.OVERDUE]
        overdue.sort(key=lambda o: (-o.days_late, o.task.number, o.agency_id))
        plan = plan_current()
        recommendations = recommendations_overdue(plan=plan, as_of=as_of) if plan else []
        # not reported: nothing sent, or not all the figures owed (the completeness rule)
        missing = [r for r in report_timeliness_rows(as_of=as_of) if r.status in ("missing", "partial")]
        missing.sort(key=lambda r: (-r.days_late, r.agency_id))
        names = dict(
            Agency.objects.filter(pk__in={o.agency_id for o in overdue} | {r.agency_id for r in missing}).values_list(
                "pk", "name"
            )
        )
        if options["json"]:
            payload = {
                "as_of": as_of.isoformat(),
                "overdue_tasks": [
                    {
                        "task": o.task.number,
                        "agency": names[o.agency_id],
                        "due_on": o.due_on.isoformat(),
                        "days_late": o.days_late,
                    }
                    for o in overdue
                ],
                # the recommendations of inspections, apart from the plan's tasks
                "overdue_recommendations": [
                    {
                        "kind": "recommendation",
                        "recommendation": row.recommendation.pk,
                        "number": row.recommendation.number,
                        "inspection": row.recommendation.inspection.title,
                        "text": row.recommendation.text,
                        "agency": row.recommendation.agency.name,
                        "due_on": row.recommendation.due_on.isoformat(),
                        "days_late": row.standing.days_late,
                    }
                    for row in recommendations
                ],
                "missing_reports": [
                    {
                        "agency": names[r.agency_id],
                        "period": r.period.label,
                        "due_on": r.period.due_on.isoformat(),
                        "days_late": r.days_late,
                        "sent": r.sent,
                        "expected": r.expected,
                    }
                    for r in missing
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Tính đến ngày {vn_date(as_of)}")
        self.stdout.write(f"\nNhiệm vụ quá hạn: {len(overdue)}")
        for o in overdue:
            self.stdout.write(
                f"  NV {o.task.number:>2}  {names[o.agency_id]:<50}  hạn {vn_date(o.due_on)}  chậm {o.days_late} ngày"
            )
        self.stdout.write(f"\nKiến nghị sau kiểm tra quá hạn: {len(recommendations)}")
        for row in recommendations:
            r = row.recommendation
            self.stdout.write(
                f"  KN {r.number:>2}  {r.agency.name:<50}  hạn {vn_date(r.due_on)}  chậm {row.standing.days_late} ngày"
                f"  ({r.inspection.title})"
            )
        self.stdout.write(f"\nBáo cáo chưa nộp đủ: {len(missing)}")
        for r in missing:
            self.stdout.write(
                f"  {names[r.agency_id]:<50}  {r.period.label:<22}  hạn {vn_date(r.period.due_on)}  "
                f"đã gửi {r.sent}/{r.expected}  chậm {r.days_late} ngày"
            )
