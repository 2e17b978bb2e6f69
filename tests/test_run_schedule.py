"""The embedded default runs the periodic jobs itself (``manage.py run_schedule``, started by scripts/start):
without Celery beat nothing locked the periods past their deadline, and a period of 2023 still read "Đang mở"."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from indicators.models import Period
from tests.factories import period_make


def _run(state, *names):
    out = io.StringIO()
    call_command(
        "run_schedule", "--once", "--state", str(state), *[a for n in names for a in ("--only", n)], stdout=out
    )
    return out.getvalue()


def test_past_due_periods_get_locked_without_beat_and_a_job_runs_once_when_due(plan, tmp_path, settings):
    settings.PERIOD_LOCK_GRACE_DAYS = 5
    old = period_make("quarter", 2023, 2)
    current = period_make("quarter", timezone.localdate().year + 1, 1)  # its deadline is ahead
    state = tmp_path / "schedule.json"

    output = _run(state, "lock-past-due-periods")
    assert "lock-past-due-periods" in output
    assert Period.objects.get(pk=old.pk).is_locked and not Period.objects.get(pk=current.pk).is_locked
    ran_at = json.loads(state.read_text())["lock-past-due-periods"]

    # run again straight away: the job is not due before its next 00:30, nothing runs twice
    Period.objects.filter(pk=old.pk).update(is_locked=False)  # the office reopened it for a late entry
    assert "lock-past-due-periods" not in _run(state, "lock-past-due-periods")
    assert not Period.objects.get(pk=old.pk).is_locked
    assert json.loads(state.read_text())["lock-past-due-periods"] == ran_at

    # a day later (the state says it last ran two days ago) it is due again, once
    state.write_text(json.dumps({"lock-past-due-periods": (timezone.now() - timedelta(days=2)).isoformat()}))
    assert _run(state, "lock-past-due-periods").count("lock-past-due-periods") == 1
    assert Period.objects.get(pk=old.pk).is_locked


def test_an_unknown_job_is_refused(plan, tmp_path):
    with pytest.raises(CommandError, match="Không có việc định kỳ: khong-co"):
        _run(tmp_path / "s.json", "khong-co")


def test_periods_not_begun_read_so(client, plan, reviewer):
    upcoming = period_make("quarter", timezone.localdate().year + 1, 1)
    Period.objects.filter(pk=upcoming.pk).update(starts_on=timezone.localdate() + timedelta(days=8))
    client.force_login(reviewer)
    html = client.get("/ky-bao-cao/").content.decode()
    row = html.split(f'id="ky-{upcoming.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Chưa bắt đầu" in row and "Đang mở" not in row
