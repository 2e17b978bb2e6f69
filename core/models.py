"""The kernel's one table: jobs asked for by a write and not yet taken by the broker."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingJob(models.Model):
    """A job a write asked for (``core.jobs.enqueue_after_commit``), written in the write's own transaction and
    deleted once the broker has taken it. With Redis down at commit time it stays here, and the catch-up job
    (``core.send_pending_jobs``, every minute from beat) sends it as soon as the broker answers again: the work
    a user saved is never left without its follow-up. Jobs are idempotent, so one sent twice (a process that
    died between sending and deleting) does no harm."""

    name = models.CharField(_("công việc"), max_length=100)
    args = models.JSONField(_("tham số"), default=list, blank=True)
    created_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(_("số lần gửi không được"), default=0)
    error = models.CharField(_("lỗi gần nhất"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("công việc chờ đưa vào hàng đợi")
        verbose_name_plural = _("công việc chờ đưa vào hàng đợi")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)!r}"


class SnapshotGeneration(models.Model):
    """The snapshot generation (core/snapshots.py): one row, moved on by every commit that changes what the
    dashboards show, read once per request. It lives here rather than in Redis so that no outage of Redis can lose
    a move: a write committed while Redis hung used to leave the old pages cached once Redis answered again."""

    value = models.BigIntegerField(_("thế hệ"))

    class Meta:
        verbose_name = _("thế hệ dữ liệu của các trang tổng hợp")
        verbose_name_plural = _("thế hệ dữ liệu của các trang tổng hợp")

    def __str__(self) -> str:
        return str(self.value)


class SnapshotVersion(models.Model):
    """One dependency of cached pages (``plan``, ``figures``, ``metric:12``, ``agency:7``…, core/snapshots.py) and
    the clock's value when a commit last changed it: a block built before that is not served again."""

    key = models.CharField(_("phụ thuộc"), max_length=100, primary_key=True)
    value = models.BigIntegerField(_("phiên bản"))

    class Meta:
        verbose_name = _("phiên bản dữ liệu của các trang")
        verbose_name_plural = _("phiên bản dữ liệu của các trang")

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"
