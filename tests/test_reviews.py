"""Reviews over a span (sơ kết, tổng kết; issue 20): per indicator the values at the start and end of the span and
the status, the tasks done, overdue and open, the inspections and recommendations, the emulation table and the
office's picks; drafted, issued and signed as a periodic report is."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from agencies.models import Agency
from config.celery import app as celery_app
from indicators.models import Metric, Observation, ReportTimeliness
from indicators.statuses import target_statuses_at
from reports import documents, reviews, services, signing
from reports.models import Review
from reports.review_content import EmulationRow, review_content_collect
from reports.review_drafting import change_text
from reports.selectors import report_verify
from tasks.models import Task

from .factories import period_make
from .oversight_data import accepted_done, inspection_make, recommendation_make
from .pki import PASSWORD as PKI_PASSWORD
from .report_data import occurrence_create
from .unit.test_report_signing import a_pdf_with_signature_space

START, END, AS_OF = date(2026, 4, 22), date(2026, 10, 21), date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads")},
        },
    }
    settings.REPORT_PDF_ENABLED = False
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def _approved(code: str, agency: Agency, kind: str, year: int, number: int, value: str) -> Observation:
    return Observation.objects.create(
        metric=Metric.objects.get(code=code),
        agency=agency,
        period=period_make(kind, year, number),
        value=Decimal(value),
        status="approved",
    )


@pytest.fixture
def span(plan, reviewer):
    """Six months of the plan: two metrics moving, task occurrences in every state, two inspections, reports."""
    khcn, police = Agency.objects.get(code="so-khcn"), Agency.objects.get(code="cong-an")
    _approved("st_enterprises", khcn, "quarter", 2026, 1, "10")  # before the span: its start value
    _approved("st_enterprises", khcn, "quarter", 2026, 3, "16")  # its end value
    vneid = Metric.objects.get(code="vneid_accounts").reporting_agency  # its designated source
    _approved("vneid_accounts", vneid, "month", 2026, 3, "50")
    _approved("vneid_accounts", vneid, "month", 2026, 9, "45")  # going the wrong way
    tasks = list(Task.objects.filter(plan=plan).order_by("number")[:5])
    occurrence_create(tasks[0], khcn, date(2026, 6, 30), date(2026, 6, 20), END)  # on time
    occurrence_create(tasks[1], khcn, date(2026, 7, 31), date(2026, 8, 10), END)  # late
    occurrence_create(tasks[2], khcn, date(2026, 9, 30), None, END)  # overdue at the end
    occurrence_create(tasks[3], police, date(2026, 3, 31), date(2026, 3, 20), END)  # before the span
    occurrence_create(tasks[4], police, date(2027, 3, 31), None, END)  # open
    before = inspection_make(plan, reviewer, starts_on=date(2026, 3, 1), agencies=["so-khcn"], title="Kiểm tra cũ")
    recommendation_make(before, reviewer, agency="so-khcn", due_on=date(2026, 3, 30))
    inspection = inspection_make(
        plan, reviewer, starts_on=date(2026, 7, 1), agencies=["so-khcn", "cong-an"], title="Kiểm tra giữa kỳ"
    )
    done = recommendation_make(inspection, reviewer, agency="so-khcn", due_on=date(2026, 9, 1))
    accepted_done(done, reviewer, completed_on=date(2026, 8, 25), accepted_on=date(2026, 8, 28))
    recommendation_make(inspection, reviewer, agency="cong-an", due_on=date(2026, 9, 15))  # overdue at the end
    for agency, number, late in ((khcn, 6, False), (khcn, 7, True), (police, 6, False)):
        period = period_make("month", 2026, number)
        sent = period.due_on + timedelta(days=3 if late else -1)
        ReportTimeliness.objects.create(
            agency=agency,
            period=period,
            status="late" if late else "on_time",
            submitted_at=timezone.make_aware(datetime.combine(sent, time(9))),
            as_of=END,
        )
    return {"tasks": tasks, "inspection": inspection}


def _content(plan, commended=frozenset()):
    return review_content_collect(
        plan=plan,
        title="Sơ kết 6 tháng",
        kind="interim",
        starts_on=START,
        ends_on=END,
        as_of=AS_OF,
        commended=commended,
    )


def test_each_indicator_has_its_values_at_the_start_and_end_of_the_span_and_its_status(plan, span):
    content = _content(plan)
    rows = {row.metric: row for row in content.indicators}
    stock = rows[Metric.objects.get(code="st_enterprises").name]
    assert (stock.start, stock.start_period, stock.end, stock.end_period) == (10, "Quý I/2026", 16, "Quý III/2026")
    assert stock.change == 6 and stock.improved and change_text(stock) == "+6 doanh nghiệp"
    share = rows[Metric.objects.get(code="vneid_accounts").name]
    assert share.change == -5 and share.improved is False and change_text(share) == "−5 điểm %"
    # the status against the next milestone is the one every surface gives for the span's end
    truth = {
        s.parsed_target.metric.name: s.status
        for s in target_statuses_at(as_of=END, plan=plan)
        if s.parsed_target.target.year == content.milestone
    }
    assert stock.status == truth[stock.metric] and content.milestone == 2030


def test_tasks_inspections_and_recommendations_over_the_span(plan, span):
    content = _content(plan)
    tasks = content.tasks
    assert (tasks.done_on_time, tasks.done_late, tasks.overdue, tasks.open) == (1, 1, 1, 1)
    assert [(r.task, r.longest) for r in tasks.overdue_tasks] == [(span["tasks"][2].number, 21)]
    assert [row.title for row in content.inspections] == ["Kiểm tra giữa kỳ"]
    assert (content.inspections[0].recommendations, content.inspections[0].done, content.inspections[0].overdue) == (
        2,
        1,
        1,
    )
    # the old inspection's recommendation, open when the span began and overdue since, is still counted
    assert (content.recommendations.done, content.recommendations.overdue) == (1, 2)
    khcn, police = Agency.objects.get(code="so-khcn"), Agency.objects.get(code="cong-an")
    assert {r.agency for r in content.recommendations_overdue} == {khcn.display_name, police.display_name}


def test_the_emulation_table_rates_reports_tasks_and_recommendations(plan, span):
    rows = {row.code: row for row in _content(plan).emulation}
    khcn, police = rows["so-khcn"], rows["cong-an"]
    assert (khcn.reports_on_time, khcn.reports_due, khcn.tasks_on_time, khcn.tasks_due) == (1, 2, 1, 3)
    assert (khcn.recommendations_done, khcn.recommendations_due) == (1, 1)
    assert khcn.score == pytest.approx((50 + 100 / 3 + 100) / 3)
    assert (police.reports_on_time, police.reports_due, police.recommendations_done, police.recommendations_due) == (
        1,
        1,
        0,
        1,
    )
    assert police.score == 50
    assert EmulationRow(agency="", code="", kind="").score is None  # nothing due: no score, not a zero


def test_the_review_is_drafted_and_built_like_a_periodic_report(
    plan, span, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = reviews.review_request(
            plan=plan, kind="interim", starts_on=START, ends_on=END, as_of=AS_OF, user=reviewer
        )
    review.refresh_from_db()
    assert review.title == "Sơ kết 6 tháng" and review.is_ready, review.error
    document = Document(io.BytesIO(review.docx.read()))
    paragraphs = [p.text for p in document.paragraphs]
    header_left, header_right = (cell.text for cell in document.tables[0].rows[0].cells)
    assert header_left.startswith("TỈNH ỦY HƯNG YÊN\nBAN CHỈ ĐẠO") and "-BC/BCĐ" in header_left
    assert header_right.startswith("ĐẢNG CỘNG SẢN VIỆT NAM")
    assert "Sơ kết 6 tháng thực hiện Kế hoạch số 65-KH/TU ngày 22/04/2026 của Ban Thường vụ Tỉnh ủy" in paragraphs
    assert "I. KẾT QUẢ ĐẠT ĐƯỢC" in paragraphs and "IV. KIẾN NGHỊ, ĐỀ XUẤT VÀ KHEN THƯỞNG" in paragraphs
    assert any(
        "1 đợt kiểm tra, giám sát; 3 kiến nghị sau kiểm tra, trong đó 1 đã xong và 2 quá hạn." in p for p in paragraphs
    )
    # no decision adjusted the plan in the span: the section says so
    assert "4. Điều chỉnh kế hoạch trong kỳ" in paragraphs
    assert "Trong kỳ không có quyết định điều chỉnh kế hoạch." in paragraphs
    tables = [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]
    indicators = next(t for t in tables if t[0][:2] == ["Mã", "Chỉ số"])
    row = next(r for r in indicators if r[1] == Metric.objects.get(code="st_enterprises").name)
    assert row[2].startswith("10 doanh nghiệp") and row[3].startswith("16 doanh nghiệp") and row[4] == "+6 doanh nghiệp"
    emulation = next(t for t in tables if t[0][1] == "Cơ quan, đơn vị")
    assert emulation[1][1] == "Sở Khoa học và Công nghệ" and emulation[1][2:6] == ["1/2", "1/3", "1/1", "61"]
    sheets = load_workbook(io.BytesIO(review.xlsx.read()))
    assert sheets.sheetnames == ["Chỉ tiêu", "Nhiệm vụ", "Kiểm tra, kiến nghị", "Điều chỉnh kế hoạch", "Thi đua"]


def test_the_office_picks_whom_to_commend_then_issues(
    client, plan, span, reviewer, steering, agency_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = reviews.review_request(
            plan=plan, kind="interim", starts_on=START, ends_on=END, as_of=AS_OF, user=reviewer
        )
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review_commend", args=[review.pk]), {"khen": ["so-khcn"]})
    review.refresh_from_db()
    assert list(review.commended.values_list("code", flat=True)) == ["so-khcn"]
    paragraphs = [p.text for p in Document(io.BytesIO(review.docx.read())).paragraphs]
    assert any("Đề nghị khen thưởng 1 tập thể" in p and "Sở Khoa học và Công nghệ" in p for p in paragraphs)
    # an agency outside the table cannot be picked
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review_commend", args=[review.pk]), {"khen": ["ubmttq"]})
    assert list(review.commended.values_list("code", flat=True)) == ["so-khcn"]

    client.post(
        reverse("review_issue", args=[review.pk]),
        {"number": "15", "issued_on": "05/11/2026", "signing_authority": "", "signer_title": "", "signer_name": ""},
    )
    review.refresh_from_db()
    assert review.is_issued and review.number == "15"
    header_left = Document(io.BytesIO(review.docx.read())).tables[0].rows[0].cells[0].text
    assert "Số 15-BC/BCĐ" in header_left
    with pytest.raises(reviews.ReportError):
        reviews.review_commend(review=review, agencies=[], user=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("review_new_version", args=[review.pk]))
    draft = Review.objects.get(version=2)
    assert response["Location"] == reverse("review_detail", args=[draft.pk])
    assert list(draft.commended.values_list("code", flat=True)) == ["so-khcn"] and not draft.is_issued

    client.force_login(steering)  # reads, does not act
    assert client.get(reverse("review_detail", args=[review.pk])).status_code == 200
    assert client.post(reverse("review_commend", args=[draft.pk]), {"khen": []}).status_code == 403
    client.force_login(agency_staff)  # a review is the province's
    assert client.get(reverse("review_list")).status_code == 404
    assert client.get(reverse("review_detail", args=[review.pk])).status_code == 404
    assert client.get(reverse("review_download", args=[review.pk, "docx"])).status_code == 404


def test_a_review_is_requested_from_the_page_with_its_span(client, plan, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("review_list")).content.decode()
    assert "2,5 năm (giữa nhiệm kỳ)" in page and "21/10/2028" in page
    response = client.post(
        reverse("review_list"),
        {"kind": "interim", "title": "", "starts_on": "21/10/2028", "ends_on": "22/04/2026", "as_of": "01/11/2026"},
    )
    assert response.status_code == 400 and not Review.objects.exists()
    client.post(
        reverse("review_list"),
        {"kind": "interim", "title": "", "starts_on": "22/04/2026", "ends_on": "21/10/2028", "as_of": "01/11/2026"},
    )
    assert Review.objects.get().title == "Sơ kết 2,5 năm"


@pytest.mark.parametrize(
    ("start", "end", "kind", "title"),
    [
        (date(2026, 4, 22), date(2026, 10, 21), "interim", "Sơ kết 6 tháng"),
        (date(2026, 4, 22), date(2027, 4, 21), "final", "Tổng kết 1 năm"),
        (date(2026, 4, 22), date(2028, 10, 21), "interim", "Sơ kết 2,5 năm"),
    ],
)
def test_a_review_is_named_by_its_span(start, end, kind, title):
    assert reviews.review_title(kind=kind, starts_on=start, ends_on=end) == title


def test_a_review_is_signed_with_the_steering_committees_key_by_its_office_only(
    plan, span, pki, reviewer, agency_staff, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A review is the Steering Committee's document: its office issues it, the committee's key signs it (as a
    province report), and the verification finds it among the issued documents."""

    settings.REPORT_PDF_ENABLED = True
    monkeypatch.setattr(documents, "docx_to_pdf", lambda docx: a_pdf_with_signature_space())
    services.signing_key_set(agency=None, p12=pki.p12("bcd").read_bytes(), password=PKI_PASSWORD, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        review = reviews.review_request(
            plan=plan, kind="interim", starts_on=START, ends_on=END, as_of=AS_OF, user=reviewer
        )
    with pytest.raises(reviews.ReportError, match="Chỉ cán bộ của Ban Chỉ đạo tỉnh"):
        reviews.review_issue(review=review, number="16", issued_on=date(2026, 11, 5), user=agency_staff)
    review.refresh_from_db()
    assert not review.is_issued and not review.is_signed

    issued = reviews.review_issue(review=review, number="16", issued_on=date(2026, 11, 5), user=reviewer)

    assert issued.signing_key.agency is None and issued.signature_level == signing.B_B
    pdf = issued.pdf.read()
    assert signing.pdf_verify(pdf, trust_roots=[pki.root]).valid
    check = report_verify(pdf)
    assert check.report == issued and check.detail_url == reverse("review_detail", args=[issued.pk])


def test_the_plans_adjustments_in_the_span_are_listed_with_what_they_changed(plan, span, reviewer):
    from tests.test_adjustments import v1_raised

    v1_raised(plan, date(2026, 9, 1), number="125-QĐ/TU", user=reviewer)  # in the span
    common = {"plan": plan, "title": "Sơ kết", "kind": "interim", "starts_on": START, "as_of": AS_OF}
    earlier = review_content_collect(**common, ends_on=date(2026, 8, 31))
    assert earlier.adjustments == []  # taking effect after this span's end: not listed

    content = review_content_collect(**common, ends_on=END)

    [row] = content.adjustments
    assert (row.decision, row.effective_on) == ("125-QĐ/TU", date(2026, 9, 1))
    assert "V.1" in row.summary and "0,75" in row.summary and "0,80" in row.summary
