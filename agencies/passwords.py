"""Password rules with their messages in Vietnamese (Django's own catalogue lacks the minimum-length one)."""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


class VietnameseMinimumLengthValidator(MinimumLengthValidator):
    """Django's minimum length, saying so in the user's language."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self):
        return gettext("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}

    def get_help_text(self):
        return gettext("Mật khẩu cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}
