"""The password rules speak Vietnamese, the minimum length included."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation


def test_a_short_password_is_refused_in_vietnamese():
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        validate_password("Ab1!x")
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in refused.value.messages
