"""`seed_demo`: one account per role, plausible figures from 2025, large data sets with --scale."""

import io
from datetime import date

from django.core.management import call_command

from agencies.models import User
from indicators.models import Metric, Observation, SubmissionStatus
from tasks.models import TaskUpdate


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
    assert figures.order_by("period__ends_on").first().period.ends_on >= date(2025, 1, 14)
    assert figures.order_by("period__ends_on").last().period.ends_on <= date(2026, 11, 26)
    assert figures.filter(status=SubmissionStatus.APPROVED).exists()
    assert figures.filter(status=SubmissionStatus.SUBMITTED).exists()  # the review queue has work
    for figure in figures.filter(metric__kind=Metric.Kind.RATIO)[:200]:
        assert 0 <= figure.numerator <= figure.denominator
        assert 0 <= figure.value <= 100
    for figure in figures.filter(metric__kind=Metric.Kind.INDEX):
        assert 0 <= figure.value <= 1
    assert figures.first().history.count() == 1  # bulk paths keep the audit history too
    assert TaskUpdate.objects.filter(task__plan=plan).exists()

    # running it again keeps the figures (and resets the demo passwords)
    count = figures.count()
    call_command("seed_demo", "--as-of", "2026-11-26", stdout=io.StringIO())
    assert figures.count() == count


def test_seed_demo_scale_fills_every_agency_metric_and_month(plan):
    call_command("seed_demo", "--scale", "2025", stdout=io.StringIO())
    from agencies.models import Agency

    agencies = Agency.objects.filter(kind__in=[Agency.Kind.DEPARTMENT, Agency.Kind.LOCALITY]).count()
    assert Observation.objects.count() == agencies * plan.metrics.count() * 12
