from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


def normalize_name(name: str) -> str:
    """The form under which agency names are matched: case-folded, single spaces, no trailing punctuation."""
    return " ".join(name.split()).strip(" ,;.").casefold()


class Agency(models.Model):
    """A body the plan names: a provincial department, a commune or ward, a party body, or another body."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành")
        LOCALITY = "locality", _("Xã, phường")
        PARTY = "party", _("Cơ quan Đảng, Mặt trận, đoàn thể")
        OTHER = "other", _("Cơ quan khác")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200, unique=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=80, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, db_index=True)
    official_code = models.CharField(
        _("mã đơn vị hành chính"), max_length=10, blank=True, help_text=_("Chỉ với xã, phường.")
    )
    aliases = models.JSONField(
        _("tên gọi khác"), default=list, blank=True, help_text=_("Các cách viết khác trong văn bản.")
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Collective(models.Model):
    """A collective name the plan writes ("Các sở, ngành, địa phương"), kept verbatim, and the agencies it means.

    It resolves to every active agency of the listed kinds, plus any agencies named explicitly as members.
    """

    name = models.CharField(_("tên gọi trong văn bản"), max_length=200, unique=True)
    kinds = models.JSONField(_("gồm các loại cơ quan"), default=list, blank=True)
    members = models.ManyToManyField(Agency, blank=True, related_name="collectives", verbose_name=_("thành viên"))
    description = models.CharField(_("diễn giải"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tên gọi tập thể")
        verbose_name_plural = _("tên gọi tập thể")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def resolve(self) -> models.QuerySet[Agency]:
        return Agency.objects.filter(
            models.Q(kind__in=self.kinds, is_active=True) | models.Q(pk__in=self.members.values("pk"))
        ).distinct()


class User(AbstractUser):
    """A person using the dashboard: a role, and the agency they belong to."""

    class Role(models.TextChoices):
        STEERING = "steering", _("Thành viên Ban Chỉ đạo")
        REVIEWER = "reviewer", _("Cơ quan thường trực (thẩm định, phê duyệt)")
        AGENCY_STAFF = "agency_staff", _("Cán bộ sở, ngành, địa phương")
        ADMIN = "admin", _("Quản trị hệ thống")

    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.STEERING)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self) -> str:
        """Vietnamese order: family name (``last_name``, họ) first, then given name (``first_name``, tên)."""
        return " ".join(part for part in (self.last_name, self.first_name) if part).strip()

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_reviewer(self) -> bool:
        return self.is_administrator or self.role == self.Role.REVIEWER

    @property
    def is_agency_staff(self) -> bool:
        return self.role == self.Role.AGENCY_STAFF
