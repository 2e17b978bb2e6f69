from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Comment(models.Model):
    """A reader's opinion (ý kiến) on an indicator or a task: the one thing Steering Committee members write."""

    MAX_LENGTH = 2000

    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("chỉ tiêu"),
        on_delete=models.CASCADE,
        related_name="comments",
        null=True,
        blank=True,
    )
    task = models.ForeignKey(
        "tasks.Task",
        verbose_name=_("nhiệm vụ"),
        on_delete=models.CASCADE,
        related_name="comments",
        null=True,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người góp ý"), on_delete=models.PROTECT, related_name="comments"
    )
    text = models.TextField(_("nội dung"), max_length=MAX_LENGTH)
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến")
        verbose_name_plural = _("ý kiến")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(indicator__isnull=False, task__isnull=True)
                | models.Q(indicator__isnull=True, task__isnull=False),
                name="comment_on_indicator_or_task",
            ),
        ]

    def __str__(self) -> str:
        about = f"NV {self.task.number}" if self.task_id else str(self.indicator.code)
        return f"{about} · {self.author}: {self.text[:60]}"
