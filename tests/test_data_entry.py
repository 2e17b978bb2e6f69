"""Entering figures, review and approval, versions of approved values, history, evidence files, periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency
from core.snapshots import bump_after_commit
from core.workflow import EntryError, SubmissionStatus
from entry.selectors import period_completeness
from indicators.models import Metric, Observation, RecomputeRequest
from indicators.selectors import observations_approved
from indicators.services import (
    observation_approve,
    observation_correct,
    observation_return,
    observation_save,
    observation_submit,
    observations_approve,
    periods_ensure_containing,
    periods_lock_past_due,
)
from indicators.validation import FigureInput, clean_figure

DAY = date(2026, 6, 10)  # inside the June 2026 monthly window (15/5–14/6) and quarter II
PDF = b"%PDF-1.4\n%test\n"


def ngay(url: str, day: date = DAY) -> str:
    return f"{url}?ngay={day.isoformat()}"


@pytest.fixture
def khcn(plan) -> Agency:
    return Agency.objects.get(code="so-khcn")


@pytest.fixture
def metric(plan, khcn) -> Metric:
    """A non-ratio metric the Sở KH&CN reports."""
    return Metric.objects.filter(reporters=khcn).exclude(kind="ratio").order_by("code").first()


@pytest.fixture
def ratio_metric(plan, khcn) -> Metric:
    return Metric.objects.filter(reporters=khcn, kind="ratio").order_by("code").first()


def period_of(metric: Metric, day: date = DAY):
    return periods_ensure_containing(day)[metric.period_kind]


def figure(kind: str, value: str = "", numerator: str = "", denominator: str = ""):
    return clean_figure(kind, FigureInput(value, numerator, denominator))


def good_value(metric: Metric) -> str:
    return "0,5" if metric.kind == "index" else "12"


def save(metric, agency, user, value=None, submit=False, **extra) -> Observation:
    return observation_save(
        metric=metric,
        agency=agency,
        period=period_of(metric),
        user=user,
        figure=figure(metric.kind, value or good_value(metric)),
        submit=submit,
        **extra,
    )


# Services


def test_draft_then_submit_then_approve_keeps_every_step_in_history(metric, khcn, agency_staff, reviewer):
    observation = save(metric, khcn, agency_staff)
    assert observation.status == SubmissionStatus.DRAFT
    assert not observations_approved().filter(pk=observation.pk).exists()
    assert observation_submit(observation=observation, user=agency_staff) is True
    assert observation_submit(observation=observation, user=agency_staff) is False  # a double click: once
    assert observation_approve(observation=observation, user=reviewer) is True
    observation.refresh_from_db()
    assert observation.status == SubmissionStatus.APPROVED and observation.reviewed_by == reviewer
    assert observations_approved().filter(pk=observation.pk).exists()
    reasons = list(observation.history.order_by("history_date").values_list("history_change_reason", flat=True))
    users = list(observation.history.order_by("history_date").values_list("history_user", flat=True))
    assert reasons == ["Lưu nháp", "Gửi duyệt", "Phê duyệt"]
    assert users == [agency_staff.pk, agency_staff.pk, reviewer.pk]


def test_deleting_a_user_keeps_the_figures_and_their_trail_and_empties_who(metric, khcn, agency_staff, reviewer):
    """Who entered, reviewed or changed a figure has no foreign key in PostgreSQL (core.workflow.audit_history,
    Submission): Django empties them when the user goes, and the figures and their trail stay."""
    observation = save(metric, khcn, agency_staff, submit=True)
    observation_approve(observation=observation, user=reviewer)
    steps, gone = observation.history.count(), reviewer.pk
    reviewer.delete()
    observation.refresh_from_db()
    assert observation.reviewed_by is None and observation.entered_by == agency_staff
    assert observation.history.count() == steps
    users = list(observation.history.order_by("history_id").values_list("history_user", flat=True))
    assert users == [agency_staff.pk, None]
    assert not Observation.objects.filter(reviewed_by_id=gone).exists()
    assert not Observation.history.filter(history_user_id=gone).exists()


def test_return_needs_a_reason_and_the_agency_resubmits(metric, khcn, agency_staff, reviewer):
    observation = save(metric, khcn, agency_staff, submit=True)
    with pytest.raises(EntryError, match="lý do"):
        observation_return(observation=observation, user=reviewer, reason="  ")
    observation_return(observation=observation, user=reviewer, reason="Số liệu chưa khớp báo cáo quý")
    observation.refresh_from_db()
    assert observation.status == SubmissionStatus.RETURNED
    assert observation.review_note == "Số liệu chưa khớp báo cáo quý"
    resubmitted = save(metric, khcn, agency_staff, value="13" if metric.kind != "index" else "0,6", submit=True)
    assert resubmitted.pk == observation.pk and resubmitted.status == SubmissionStatus.SUBMITTED


def test_a_submitted_or_approved_figure_cannot_be_overwritten(metric, khcn, agency_staff, reviewer):
    observation = save(metric, khcn, agency_staff, submit=True)
    with pytest.raises(EntryError):
        save(metric, khcn, agency_staff, value="99" if metric.kind != "index" else "0,9")
    observation_approve(observation=observation, user=reviewer)
    with pytest.raises(EntryError):
        save(metric, khcn, agency_staff, value="99" if metric.kind != "index" else "0,9")


def test_correcting_an_approved_value_keeps_the_old_one_counting_until_approved(metric, khcn, agency_staff, reviewer):
    observation = save(metric, khcn, agency_staff, submit=True)
    observation_approve(observation=observation, user=reviewer)
    approved_value = Observation.objects.get(pk=observation.pk).value
    new = "0,7" if metric.kind == "index" else "15"
    observation_correct(observation=observation, user=agency_staff, figure=figure(metric.kind, new), reason="Sai sót")
    counted = observations_approved().get(pk=observation.pk)
    assert counted.value == approved_value and counted.correction_status == SubmissionStatus.SUBMITTED
    # a returned correction leaves the approved value as it was
    observation_return(observation=observation, user=reviewer, reason="Thiếu minh chứng")
    assert observations_approved().get(pk=observation.pk).value == approved_value
    observation_correct(observation=observation, user=agency_staff, figure=figure(metric.kind, new), reason="Bổ sung")
    observation_approve(observation=observation, user=reviewer)
    counted = observations_approved().get(pk=observation.pk)
    assert counted.value == clean_figure(metric.kind, FigureInput(new)).value
    assert counted.correction_status == "" and counted.proposed_value is None
    values = [h.value for h in observation.history.order_by("history_date")]
    assert approved_value in values and counted.value == values[-1]


def test_bulk_approve_records_a_version_per_figure(plan, khcn, agency_staff, reviewer):
    metrics = list(Metric.objects.filter(reporters=khcn).exclude(kind="ratio").order_by("code")[:3])
    observations = [save(m, khcn, agency_staff, submit=True) for m in metrics]
    assert observations_approve(observations=observations, user=reviewer) == len(metrics)
    assert observations_approve(observations=observations, user=reviewer) == 0
    for observation in observations:
        assert observation.history.filter(history_change_reason="Phê duyệt").count() == 1


def test_locked_period_refuses_entry_until_reopened(metric, khcn, agency_staff):
    period = period_of(metric)
    period.is_locked = True
    period.save()
    with pytest.raises(EntryError, match="đã khóa"):
        save(metric, khcn, agency_staff)
    assert not Observation.objects.filter(metric=metric, agency=khcn, period=period).exists()


def test_periods_past_their_deadline_are_locked(plan):
    month = periods_ensure_containing(DAY)["month"]
    assert periods_lock_past_due(as_of=month.due_on) == 0 or not month.is_locked
    month.refresh_from_db()
    assert not month.is_locked
    periods_lock_past_due(as_of=date(2026, 7, 1))
    month.refresh_from_db()
    assert month.is_locked and month.due_on < date(2026, 7, 1)


# The entry page


def test_entry_page_lists_the_agencys_metrics_with_unit_previous_value_and_target(
    client, metric, khcn, agency_staff, reviewer
):
    earlier = date(2026, 3, 1)
    previous = observation_save(
        metric=metric,
        agency=khcn,
        period=periods_ensure_containing(earlier)[metric.period_kind],
        user=agency_staff,
        figure=figure(metric.kind, "1.200" if metric.kind != "index" else "0,4"),
        submit=True,
    )
    observation_approve(observation=previous, user=reviewer)
    client.force_login(agency_staff)
    response = client.get(ngay(reverse("figure_entry")))
    html = response.content.decode()
    assert response.status_code == 200
    for reported in Metric.objects.filter(reporters=khcn):
        assert f'id="chi-so-{reported.code}"' in html
    assert Metric.objects.exclude(reporters=khcn).exists()
    for other in Metric.objects.exclude(reporters=khcn):
        assert f'id="chi-so-{other.code}"' not in html
    assert ("1.200" if metric.kind != "index" else "0,4") in html
    assert "đến hết năm 2030" in html


def post_entry(client, metric, action="draft", **fields):
    data = {"action": action}
    for name, value in fields.items():
        data[f"m{metric.pk}-{name}"] = value
    return client.post(ngay(reverse("figure_entry")), data)


def test_vietnamese_decimal_comma_is_read_and_a_bad_value_gets_a_message_and_nothing_is_written(
    client, plan, khcn, agency_staff
):
    metric = Metric.objects.filter(reporters=khcn, kind__in=["stock", "flow"]).first()
    client.force_login(agency_staff)
    response = post_entry(client, metric, value="12,5")
    assert response.status_code == 400
    assert "Số lượng phải là số nguyên" in response.content.decode()
    assert not Observation.objects.filter(metric=metric, agency=khcn).exists()
    response = post_entry(client, metric, value="1.200")
    assert response.status_code == 302
    assert Observation.objects.get(metric=metric, agency=khcn).value == Decimal(1200)


def test_ratio_is_entered_as_numerator_and_denominator(client, ratio_metric, khcn, agency_staff):
    client.force_login(agency_staff)
    response = post_entry(client, ratio_metric, numerator="1.600", denominator="1.200")
    assert "không được lớn hơn mẫu số" in response.content.decode()
    post_entry(client, ratio_metric, numerator="1.200", denominator="1.600")
    observation = Observation.objects.get(metric=ratio_metric, agency=khcn)
    assert (observation.numerator, observation.denominator, observation.value) == (1200, 1600, Decimal("75.00"))


def test_a_jump_needs_an_explanation_before_submission(client, metric, khcn, agency_staff, reviewer):
    earlier = observation_save(
        metric=metric,
        agency=khcn,
        period=periods_ensure_containing(date(2026, 3, 1))[metric.period_kind],
        user=agency_staff,
        figure=figure(metric.kind, "10" if metric.kind != "index" else "0,3"),
        submit=True,
    )
    observation_approve(observation=earlier, user=reviewer)
    client.force_login(agency_staff)
    jump = "40" if metric.kind != "index" else "0,9"
    response = post_entry(client, metric, action="submit", value=jump)
    assert response.status_code == 400 and "Hãy giải trình" in response.content.decode()
    assert not Observation.objects.filter(metric=metric, agency=khcn, period=period_of(metric)).exists()
    response = post_entry(client, metric, action="submit", value=jump, note="Thêm 30 doanh nghiệp mới")
    assert Observation.objects.get(metric=metric, agency=khcn, period=period_of(metric)).status == "submitted"


def test_submitting_twice_submits_once(client, metric, khcn, agency_staff):
    client.force_login(agency_staff)
    post_entry(client, metric, action="submit", value=good_value(metric))
    post_entry(client, metric, action="submit", value=good_value(metric))
    observation = Observation.objects.get(metric=metric, agency=khcn)
    assert observation.history.filter(history_change_reason="Gửi duyệt").count() == 1


def test_rows_filled_in_right_are_sent_when_another_is_wrong(client, plan, khcn, agency_staff):
    good, bad = Metric.objects.filter(reporters=khcn, kind__in=["stock", "flow"])[:2]
    client.force_login(agency_staff)
    response = client.post(
        ngay(reverse("figure_entry")),
        {"action": "submit", f"m{good.pk}-value": "5", f"m{bad.pk}-value": "-3"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "không được âm" in page
    # the right row is sent, the wrong one waits with what was typed, named in the summary with a link to its field
    assert list(Observation.objects.filter(agency=khcn).values_list("metric", "status")) == [(good.pk, "submitted")]
    assert "Đã gửi 1 số liệu để thẩm định." in page and "1 số liệu chưa lưu được" in page
    assert f'href="#id_m{bad.pk}-value">{bad.name}: ' in page and f'name="m{bad.pk}-value" value="-3"' in page


def test_the_rows_saved_together_are_saved_in_one_transaction(client, plan, khcn, agency_staff, monkeypatch):
    first, second = Metric.objects.filter(reporters=khcn, kind__in=["stock", "flow"])[:2]
    client.force_login(agency_staff)
    from entry import views

    saved = views.observation_save

    def refuse_the_second(**kwargs):
        if kwargs["metric"] == second:
            raise EntryError("Kỳ báo cáo đã khóa.")
        return saved(**kwargs)

    monkeypatch.setattr(views, "observation_save", refuse_the_second)
    response = client.post(
        ngay(reverse("figure_entry")), {"action": "draft", f"m{first.pk}-value": "5", f"m{second.pk}-value": "6"}
    )
    assert response.status_code == 302 and not Observation.objects.filter(agency=khcn).exists()


# Evidence files


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bao-cao.exe", b"MZ\x90\x00", "Chỉ nhận tệp PDF, Office hoặc ảnh"),
        ("bao-cao.pdf", b"<html><script>", "Nội dung tệp không đúng định dạng .pdf"),
        ("anh.png", PDF, "Nội dung tệp không đúng định dạng .png"),
    ],
)
def test_evidence_type_is_checked_by_extension_and_content(client, metric, khcn, agency_staff, name, content, message):
    client.force_login(agency_staff)
    upload = SimpleUploadedFile(name, content)
    response = post_entry(client, metric, value=good_value(metric), evidence=upload)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Observation.objects.filter(agency=khcn).exists()


def test_evidence_size_is_limited(client, metric, khcn, agency_staff, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(agency_staff)
    response = post_entry(client, metric, value=good_value(metric), evidence=SimpleUploadedFile("a.pdf", PDF * 20))
    assert "Tệp quá lớn" in response.content.decode()


def test_evidence_is_stored_privately_and_downloaded_only_by_who_may_see_it(
    client, metric, khcn, agency_staff, other_agency_staff, steering, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    client.force_login(agency_staff)
    post_entry(client, metric, value=good_value(metric), evidence=SimpleUploadedFile("bien-ban.pdf", PDF))
    observation = Observation.objects.get(agency=khcn, metric=metric)
    assert (tmp_path / observation.evidence.name).read_bytes() == PDF
    url = reverse("observation_evidence", args=[observation.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    client.force_login(other_agency_staff)
    assert client.get(url).status_code == 404
    client.force_login(steering)
    assert client.get(url).status_code == 200


# Review queue, history, completeness


def test_reviewer_returns_one_with_a_reason_and_approves_the_rest(client, plan, khcn, agency_staff, reviewer):
    metrics = list(Metric.objects.filter(reporters=khcn).exclude(kind="ratio").order_by("code")[:3])
    observations = [save(m, khcn, agency_staff, submit=True) for m in metrics]
    client.force_login(reviewer)
    html = client.get(reverse("review_queue")).content.decode()
    assert all(f'id="obs-{o.pk}"' in html for o in observations)
    returned, *rest = observations
    response = client.post(
        reverse("review_queue"), {"return_o": returned.pk, f"reason-o{returned.pk}": "Kiểm tra lại số liệu"}
    )
    assert response.status_code == 302
    client.post(reverse("review_queue"), {"action": "approve", "o": [o.pk for o in rest]})
    statuses = dict(Observation.objects.filter(agency=khcn).values_list("pk", "status"))
    assert statuses[returned.pk] == "returned" and all(statuses[o.pk] == "approved" for o in rest)
    client.force_login(agency_staff)
    assert "Kiểm tra lại số liệu" in client.get(ngay(reverse("figure_entry"))).content.decode()


def test_history_page_shows_who_when_old_new_and_why(client, metric, khcn, agency_staff, reviewer):
    observation = save(metric, khcn, agency_staff, value="10" if metric.kind != "index" else "0,3", submit=True)
    observation_return(observation=observation, user=reviewer, reason="Chưa đúng kỳ")
    save(metric, khcn, agency_staff, value="11" if metric.kind != "index" else "0,35", submit=True)
    observation_approve(observation=observation, user=reviewer)
    client.force_login(agency_staff)
    html = client.get(reverse("observation_history", args=[observation.pk])).content.decode()
    assert html.count('class="history-step"') == 4
    assert "Trả lại: Chưa đúng kỳ" in html and "Phê duyệt" in html
    assert agency_staff.username in html and reviewer.username in html
    assert ("10 → 11" if metric.kind != "index" else "0,3 → 0,35") in html


def test_completeness_on_time_late_partial_missing(plan, khcn, agency_staff, reviewer):
    month = periods_ensure_containing(DAY)["month"]
    monthly = list(Metric.objects.filter(frequency="monthly", reporters=khcn))
    assert monthly
    report = period_completeness(period=month, as_of=date(2026, 7, 1))
    row = next(r for r in report.rows if r.agency == khcn)
    assert row.status == "missing" and row.expected == len(monthly)
    for m in monthly:
        observation_save(
            metric=m, agency=khcn, period=month, user=agency_staff, figure=figure(m.kind, good_value(m)), submit=True
        )
    Observation.objects.filter(agency=khcn, period=month).update(
        submitted_at=f"{month.due_on.isoformat()}T23:00:00+07:00"
    )
    row = next(r for r in period_completeness(period=month, as_of=date(2026, 7, 1)).rows if r.agency == khcn)
    assert row.status == "on_time"
    Observation.objects.filter(agency=khcn, period=month).update(submitted_at="2026-06-30T08:00:00+07:00")
    row = next(r for r in period_completeness(period=month, as_of=date(2026, 7, 1)).rows if r.agency == khcn)
    assert row.status == "late"
    if len(monthly) > 1:
        Observation.objects.filter(agency=khcn, period=month, metric=monthly[0]).delete()
        row = next(r for r in period_completeness(period=month, as_of=date(2026, 7, 1)).rows if r.agency == khcn)
        assert row.status == "partial"
    not_yet = period_completeness(period=month, as_of=month.due_on)
    assert {r.status for r in not_yet.rows} <= {"not_due", "partial", "on_time", "late"}


def test_a_correction_is_refused_once_the_period_is_locked(metric, khcn, agency_staff, reviewer):
    observation = save(metric, khcn, agency_staff, submit=True)
    observation_approve(observation=observation, user=reviewer)
    observation.period.is_locked = True
    observation.period.save()
    new = "0,7" if metric.kind == "index" else "15"
    with pytest.raises(EntryError, match="đã khóa"):
        observation_correct(observation=observation, user=agency_staff, figure=figure(metric.kind, new), reason="x")
    observation.refresh_from_db()
    assert observation.correction_status == "" and observation.proposed_value is None


def test_approving_a_page_of_figures_asks_one_recompute_of_its_metrics(
    client, plan, khcn, agency_staff, reviewer, django_capture_on_commit_callbacks
):
    metrics = list(Metric.objects.filter(reporters=khcn).exclude(kind="ratio").order_by("code")[:2])
    others = Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).exclude(pk=khcn.pk)
    figures = [save(m, khcn, agency_staff, submit=True) for m in metrics]
    figures += [
        observation_save(
            metric=metrics[0],
            agency=a,
            period=period_of(metrics[0]),
            user=agency_staff,
            figure=figure(metrics[0].kind, good_value(metrics[0])),
            submit=True,
        )
        for a in others.filter(reported_metrics=metrics[0])[:2]
    ]
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("review_queue"), {"action": "approve", "o": [f.pk for f in figures]})
    assert Observation.objects.filter(pk__in=[f.pk for f in figures], status="approved").count() == len(figures)
    recomputes = [c for c in callbacks if c is not bump_after_commit]  # not the dashboards' cache
    assert len(recomputes) == 1  # one run for the page (the pages showing them rebuilt once)
    # of each metric once, however many figures it had
    assert sorted(RecomputeRequest.objects.values_list("metric_id", flat=True)) == sorted(m.pk for m in metrics)


def test_the_decimals_a_figure_is_checked_for_are_those_its_columns_keep():
    from indicators.validation import DECIMAL_PLACES

    for name in ("value", "numerator", "denominator", "proposed_value", "proposed_numerator", "proposed_denominator"):
        assert Observation._meta.get_field(name).decimal_places == DECIMAL_PLACES, name
