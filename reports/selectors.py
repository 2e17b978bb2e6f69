"""Reads for the report pages and commands: what a signed PDF says of itself, and which report it is (a periodic
report or a review over a span); who may read reviews."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from agencies.models import User

from . import keystore, signing
from .models import PeriodicReport, Review


@dataclass
class ReportCheck:
    """A file's signature as checked, and the issued report it is (None: not one this system issued)."""

    verification: signing.Verification
    report: PeriodicReport | Review | None

    @property
    def detail_url(self) -> str:
        if self.report is None:
            return ""
        name = "review_detail" if isinstance(self.report, Review) else "periodic_report_detail"
        return reverse(name, args=[self.report.pk])


def report_verify(pdf: bytes) -> ReportCheck:
    """Check ``pdf``'s signature offline against the trusted roots (keystore.trust_roots) and find the report.

    The report is found by the digest of the bytes its signature covers, so a file with something appended
    after signing is still recognised as that report (and said to be changed), while a file whose signed
    bytes differ is not any report.
    """
    verification = signing.pdf_verify(pdf, trust_roots=keystore.trust_roots())
    report = None
    if verification.digest and verification.intact:
        report = (
            PeriodicReport.objects.select_related("period", "agency", "signing_key")
            .filter(status=PeriodicReport.Status.ISSUED, signature_digest=verification.digest)
            .first()
        ) or Review.objects.filter(status=Review.Status.ISSUED, signature_digest=verification.digest).first()
    return ReportCheck(verification=verification, report=report)


def reviews_for_user(user: User) -> QuerySet[Review]:
    """The one scoping helper: the reviews ``user`` may read (the province's readers only)."""
    found = Review.objects.select_related("plan")
    if user.is_authenticated and (user.is_reviewer or user.role == User.Role.STEERING):
        return found
    return found.none()
