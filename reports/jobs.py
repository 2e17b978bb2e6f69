"""Celery jobs for periodic reports: thin, ids in, call a service, safe to run twice."""

import logging

from celery import shared_task
from django.db import OperationalError

from . import reviews
from .services import report_generate, report_mark_failed

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.periodic_report_generate", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def periodic_report_generate(report_id: int) -> None:
    try:
        report_generate(report_id=report_id)
    except OperationalError:
        raise
    except Exception as exc:
        # not transient: retrying would fail the same way; the report page shows the error instead
        logger.exception("Periodic report %s could not be generated", report_id)
        report_mark_failed(report_id=report_id, error=str(exc))


@shared_task(name="reports.review_generate", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def review_generate(review_id: int) -> None:
    """A review's files (sơ kết, tổng kết), as a periodic report's are built."""
    try:
        reviews.review_generate(review_id=review_id)
    except OperationalError:
        raise
    except Exception as exc:
        logger.exception("Review %s could not be generated", review_id)
        reviews.review_mark_failed(review_id=review_id, error=str(exc))
