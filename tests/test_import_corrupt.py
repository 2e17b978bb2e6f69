"""An .xlsx broken inside (XML cut short or malformed, shared strings missing, DTD entities, an external entity, a
zip member whose CRC fails, a number cell holding text): the web batch and ``manage.py import_figures`` both say the
file is damaged and what to do, in Vietnamese, never the parser's words nor a traceback, and write nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from imports.batches import import_batch_upload
from imports.models import ImportBatch
from indicators.models import Observation
from tests.corrupt_xlsx import corrupt_variants
from tests.test_import_figures import GOOD, xlsx

VARIANTS = corrupt_variants(xlsx(GOOD))
RAW = ("list index out of range", "undefined entity", "Bad CRC", "ParseError", "invalid literal", "Traceback")


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.mark.parametrize("background", [False, True], ids=["in the request", "in a job"])
@pytest.mark.parametrize("name", list(VARIANTS))
def test_a_damaged_xlsx_is_refused_with_what_to_do(
    plan, administrator, settings, name, background, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_BYTES = 0 if background else 10**9
    with django_capture_on_commit_callbacks(execute=True):  # the job, in-process
        batch = import_batch_upload(kind="figures", content=VARIANTS[name], filename="hong.xlsx", user=administrator)
    batch = ImportBatch.objects.get(pk=batch.pk)
    said = " ".join([batch.message, *batch.summary.get("file_errors", [])])
    assert batch.status == "invalid", (batch.status, said)
    assert "bị hỏng bên trong" in said and "lưu lại thành một tệp .xlsx mới" in said
    assert not [raw for raw in RAW if raw in said] and "Kiểm tra lại" not in said
    assert not Observation.objects.exists()


@pytest.mark.parametrize("name", list(VARIANTS))
def test_the_import_command_says_the_file_is_damaged_without_a_traceback(plan, tmp_path, name):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(VARIANTS[name])
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="Tệp có lỗi, không có gì được ghi"):
        call_command("import_figures", str(path), stdout=io.StringIO(), stderr=stderr)
    assert "bị hỏng bên trong" in stderr.getvalue()
    assert not Observation.objects.exists()


def test_the_good_file_the_variants_are_made_from_is_imported(plan, administrator):
    batch = import_batch_upload(kind="figures", content=xlsx(GOOD), filename="tot.xlsx", user=administrator)
    assert ImportBatch.objects.get(pk=batch.pk).status == "previewed"
