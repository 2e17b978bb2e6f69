"""Builders of inspections and recommendations for the oversight tests, through the services where the rule under
test does not need dates in the past (the services stamp today), directly where it does."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import Agency
from core.workflow import SubmissionStatus
from oversight.models import Inspection, Recommendation, RecommendationUpdate
from oversight.services import inspection_save, recommendation_add

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def inspection_make(plan, user, *, starts_on: date, agencies: list[str], title: str = "") -> Inspection:
    data = {
        "title": title or f"Kiểm tra liên ngành {starts_on:%d/%m/%Y}",
        "kind": Inspection.Kind.INTERSECTORAL,
        "team": "Đoàn kiểm tra số 1",
        "lead_body": Agency.objects.get(code="vp-tu"),
        "starts_on": starts_on,
        "ends_on": starts_on + timedelta(days=5),
        "conclusion_number": "21-KL/BCĐ",
        "conclusion_date": starts_on + timedelta(days=10),
        "conclusion": "Cơ bản đạt yêu cầu.",
    }
    return inspection_save(plan=plan, user=user, data=data, agencies=list(Agency.objects.filter(code__in=agencies)))


def recommendation_make(inspection, user, *, agency: str, due_on: date, text: str = "") -> Recommendation:
    return recommendation_add(
        inspection=inspection,
        user=user,
        text=text or f"Khắc phục tồn tại số {inspection.recommendations.count() + 1}.",
        agency=Agency.objects.get(code=agency),
        due_on=due_on,
    )


def accepted_done(recommendation: Recommendation, reviewer, *, completed_on: date, accepted_on: date) -> None:
    """An approved report of completion and the recommendation closed, on the days given (the services would
    stamp today)."""
    moment = timezone.make_aware(datetime.combine(accepted_on, time(10, 0)))
    RecommendationUpdate.objects.create(
        recommendation=recommendation,
        agency=recommendation.agency,
        progress=RecommendationUpdate.Progress.DONE,
        completed_on=completed_on,
        status=SubmissionStatus.APPROVED,
        submitted_at=moment,
        reviewed_at=moment,
        reviewed_by=reviewer,
    )
    Recommendation.objects.filter(pk=recommendation.pk).update(completed_on=completed_on, accepted_on=accepted_on)
    recommendation.refresh_from_db()
