"""Importing users with their role and agency. Passwords are never imported: new users get an unusable
password and an e-mail with a link to set their own."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.models import User

from .base import Preview
from .directory import upsert_undo, upsert_write, users_prepare
from .reading import Column

COLUMNS = [
    Column("username", "Tên đăng nhập", required=True),
    Column("last_name", "Họ"),
    Column("first_name", "Tên"),
    Column("email", "Thư điện tử", aliases=("Email",)),
    Column("role", "Vai trò", required=True),
    Column("agency", "Mã cơ quan", aliases=("Cơ quan",)),
    Column("agency_name", "Tên cơ quan", informative=True),
    Column("is_active", "Đang hoạt động"),
    # accepted as a header only to refuse it with a clear message
    Column("password", "Mật khẩu", aliases=("password",)),
]
SHEETS = {None: COLUMNS}


def prepare(tables, *, only_agency=None, approve=False, progress=None):
    table = tables[None]
    if "password" in table.letters:
        return Preview(
            kind="users",
            file_errors=[
                f"Cột {table.letters['password']} (Mật khẩu): không nhập mật khẩu từ tệp. Hãy xóa cột này; "
                "người dùng mới sẽ nhận thư để tự đặt mật khẩu."
            ],
        )
    return users_prepare(table)


def write(work, *, batch, when):
    for values in work["new"]:
        values["password"] = make_password(None)  # unusable: the user sets it through the reset link
    return upsert_write(User, work)


def undo(changes, *, batch, when):
    upsert_undo(User, changes)


def after_commit(batch):
    """Send each new user with an e-mail address a link to choose a password."""
    messages = []
    for user in User.objects.filter(pk__in=batch.changes.get("created", [])).exclude(email=""):
        link = settings.SITE_URL.rstrip("/") + reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        body = (
            f"Chào {user.get_full_name() or user.username},\n\n"
            f"Tài khoản “{user.username}” của bạn trên Bảng theo dõi Kế hoạch 65-KH/TU đã được tạo.\n"
            f"Hãy đặt mật khẩu tại: {link}\n"
        )
        messages.append(("Tài khoản Bảng theo dõi Kế hoạch 65-KH/TU", body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    send_mass_mail(messages, fail_silently=True)
