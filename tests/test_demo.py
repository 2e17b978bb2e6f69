"""`seed_demo`: accounts per role, a plausible mid-course plan (figures, task reports, self-assessments), --scale."""

import io
from datetime import date

from django.core.management import call_command
from django.db.models import Count

from agencies.models import User
from core.workflow import SubmissionStatus
from indicators.models import AgencyAssessment, Metric, Observation, QualitativeAssessment, TargetStatus
from indicators.selectors import assessment_disagreements
from indicators.services import periods_ensure_containing
from oversight.models import CentralIndicator, Inspection, RecommendationUpdate
from oversight.selectors import recommendation_rows, recommendations_of, recommendations_overdue
from tasks.models import TaskAssignment, TaskOccurrence, TaskUpdate


def test_seed_demo_creates_accounts_figures_and_task_updates(plan):
    out = io.StringIO()
    call_command("seed_demo", "--as-of", "2026-11-26", stdout=out)
    output = out.getvalue()
    for role in User.Role:
        assert User.objects.filter(role=role).exists(), role
    assert "Demo@65KHTU" in output and "thuongtruc" in output
    staff = User.objects.get(username="sokhcn")
    assert staff.check_password("Demo@65KHTU") and staff.agency.code == "so-khcn"

    figures = Observation.objects.filter(metric__plan=plan)
    assert set(figures.values_list("metric", flat=True)) == set(plan.metrics.values_list("pk", flat=True))
    # yearly metrics from 2023 (the years before the plan are the baseline), the others from 2025
    assert figures.order_by("period__ends_on").first().period.ends_on >= date(2023, 1, 1)
    assert figures.exclude(period__kind="year").order_by("period__ends_on").first().period.ends_on >= date(2025, 1, 14)
    yearly = plan.metrics.filter(frequency=Metric.Frequency.YEARLY).first()
    assert figures.filter(metric=yearly, status=SubmissionStatus.APPROVED).values("period").distinct().count() >= 3
    # nothing after the as-of date, except the open year's figures, approved by then: provisional values
    later = figures.filter(period__ends_on__gt=date(2026, 11, 26))
    assert set(later.values_list("period__kind", "period__year", "status").distinct()) == {("year", 2026, "approved")}
    assert not later.filter(reviewed_at__date__gt=date(2026, 11, 26)).exists()
    # a metric collected once for the province has one source: never two agencies' figures for a period
    for metric in plan.metrics.filter(collection=Metric.Collection.PROVINCE):
        per_period = figures.filter(metric=metric, status=SubmissionStatus.APPROVED).values("period")
        assert per_period.annotate(n=Count("agency", distinct=True)).filter(n__gt=1).count() == 0, metric.code
    assert figures.filter(status=SubmissionStatus.APPROVED).exists()
    assert figures.filter(status=SubmissionStatus.SUBMITTED).exists()  # the review queue has work
    for figure in figures.filter(metric__kind=Metric.Kind.RATIO, metric__ratio_scale=100)[:200]:
        assert 0 <= figure.numerator <= figure.denominator
        assert 0 <= figure.value <= 100
    # II.5 per vạn dân: the population in vạn người, the value numerator / denominator (not a percentage)
    for figure in figures.filter(metric__code="researchers_per_10k"):
        assert figure.value == round(figure.numerator / figure.denominator, 2)
    for figure in figures.filter(metric__kind=Metric.Kind.INDEX):
        assert 0 <= figure.value <= 1
    assert figures.first().history.count() == 1  # bulk paths keep the audit history too
    assert TaskUpdate.objects.filter(task__plan=plan).exists()
    returned = figures.get(status=SubmissionStatus.RETURNED)
    assert returned.review_note and returned.agency.code == "so-khcn"

    # every lead agency of every task with a schedule reports, collective leads (all communes) included
    leads = TaskAssignment.objects.filter(task__plan=plan, role="lead").exclude(
        task__terms_versions__schedule_kind="conditional"
    )
    reporting = set(TaskUpdate.objects.values_list("task_id", "agency_id"))
    assert len(reporting) >= 0.95 * leads.count()
    occurrences = TaskOccurrence.objects.all()
    overdue = occurrences.filter(status="overdue").count()
    assert 0 < overdue < 0.1 * occurrences.exclude(status__in=["not_due", "awaiting_trigger"]).count()
    assert occurrences.filter(status="done_late").exists()

    # a mid-course plan: some targets met, no metric without a trend, agencies' own views that disagree
    statuses = set(TargetStatus.objects.values_list("status", flat=True))
    assert {"achieved", "on_track", "accelerate"} <= statuses and "no_data" not in statuses
    quarter = periods_ensure_containing(date(2026, 11, 26))["quarter"]
    assert AgencyAssessment.objects.filter(period=quarter).count() > 10
    assert assessment_disagreements(period=quarter, as_of=date(2026, 11, 26))
    assert QualitativeAssessment.objects.exists()

    # the oversight loop: inspections whose recommendations are in every state, one of them overdue, and the
    # documented example of the central mapping (an empty mapping is filled for the demo only)
    day = date(2026, 11, 26)
    standings = {row.standing.status for row in recommendation_rows(recommendations_of(plan=plan), as_of=day)}
    assert {"done_on_time", "done_late", "overdue", "not_due"} <= standings
    assert [row.recommendation.agency.code for row in recommendations_overdue(plan=plan, as_of=day)] == ["vp-ubnd"]
    reports = set(RecommendationUpdate.objects.values_list("status", flat=True))
    assert {"approved", "submitted", "returned"} <= reports
    assert CentralIndicator.objects.filter(code__startswith="VD-").count() == 10
    assert "MẪU" in output

    # running it again keeps the figures, the inspections and the mapping (and resets the demo passwords)
    count, inspections = figures.count(), Inspection.objects.count()
    call_command("seed_demo", "--as-of", "2026-11-26", stdout=io.StringIO())
    assert figures.count() == count and Inspection.objects.count() == inspections


def test_seed_demo_scale_fills_every_agency_metric_and_month(plan):
    call_command("seed_demo", "--scale", "2025", stdout=io.StringIO())
    from agencies.models import Agency

    agencies = Agency.objects.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY]).count()
    assert Observation.objects.count() == agencies * plan.metrics.count() * 12
