"""Reads for the report pages and commands: what a signed PDF says of itself, and which report it is."""

from __future__ import annotations

from dataclasses import dataclass

from . import keystore, signing
from .models import PeriodicReport


@dataclass
class ReportCheck:
    """A file's signature as checked, and the issued report it is (None: not one this system issued)."""

    verification: signing.Verification
    report: PeriodicReport | None


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
        )
    return ReportCheck(verification=verification, report=report)
