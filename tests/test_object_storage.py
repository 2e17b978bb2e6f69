"""Every stored file in an S3 bucket (moto's server, a real S3 API: tests/s3.py): imports, evidence, reports,
expiry, the move from disk, and the storage named by /readyz."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from imports import jobs
from imports.figures import ValidatedFigures
from imports.models import ImportBatch
from indicators.models import Observation
from reports import services, signing
from tests.s3 import ACCESS_KEY, REGION, SECRET_KEY, storage_options
from tests.test_data_entry import PDF, good_value, khcn, metric, post_entry  # noqa: F401 - fixtures
from tests.test_import_figures import GOOD, xlsx
from tests.test_report_signature import ISSUED_ON, _draft, _key, quick_pdf, world  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def disk(settings, tmp_path):
    """Where the embedded default would write: nothing may appear under it while the bucket is in use."""
    folder = tmp_path / "var"
    folder.mkdir()
    settings.PRIVATE_MEDIA_ROOT = folder / "uploads"
    return folder


def _files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_the_bucket_settings_come_from_the_environment(tmp_path, s3_server):
    env = {
        **os.environ,
        "DJANGO_VAR_DIR": str(tmp_path),
        "AWS_STORAGE_BUCKET_NAME": "plan65-test",
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_LOCATION": "tinh",
    }
    code = "import json; from django.conf import settings as s; print(json.dumps(s.STORAGES['default']))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert json.loads(result.stdout) == storage_options(s3_server, "plan65-test", "tinh"), result.stderr
    del env["AWS_STORAGE_BUCKET_NAME"]
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert json.loads(result.stdout) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "uploads"), "base_url": None},
    }


def test_an_import_is_uploaded_checked_confirmed_and_undone_in_the_bucket(
    client, plan, administrator, bucket, disk, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_BYTES = 0  # checked and written by the job, which reads the upload from the bucket
    client.force_login(administrator)
    content = xlsx(GOOD)
    upload = io.BytesIO(content)
    upload.name = "so-lieu.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:index"), {"kind": "figures", "file": upload})
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:preview", args=[batch.pk])
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.message
    kept = ValidatedFigures.name_for(batch)
    assert bucket.keys() == sorted([batch.file.name, kept])
    assert default_storage.open(batch.file.name).read() == content

    page = client.get(response.url).content.decode()
    assert "so-khcn · coverage_5g · 2026-Q1" in page and "Xác nhận và ghi" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED, batch.message
    assert Observation.objects.filter(period__year=2026).count() == 2
    assert bucket.keys() == [batch.file.name]  # the kept rows served their write and are gone

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:undo", args=[batch.pk]), {"xac_nhan": "1"})
    assert not Observation.objects.filter(period__year=2026).exists()
    assert _files_under(disk) == []


def test_unconfirmed_uploads_expire_from_the_bucket(
    plan, administrator, bucket, settings, django_capture_on_commit_callbacks
):
    from imports.batches import import_batch_create

    old, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="cu.xlsx", user=administrator)
    recent, _ = import_batch_create(kind="figures", content=xlsx(GOOD), filename="moi.xlsx", user=administrator)
    month_ago = timezone.now() - timedelta(days=settings.IMPORT_UNCONFIRMED_DAYS + 1)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=month_ago, progress_at=month_ago)
    assert ValidatedFigures.name_for(old) in bucket.keys()

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.expire_unconfirmed.apply().get() == 1

    old.refresh_from_db()
    assert old.status == ImportBatch.Status.EXPIRED and not old.file
    assert bucket.keys() == sorted([recent.file.name, ValidatedFigures.name_for(recent)])


def test_evidence_is_kept_in_the_bucket_and_sent_only_to_who_may_see_it(
    client,
    metric,  # noqa: F811 - the imported fixture
    khcn,  # noqa: F811 - the imported fixture
    agency_staff,
    other_agency_staff,
    steering,
    bucket,
    disk,
):
    client.force_login(agency_staff)
    post_entry(client, metric, value=good_value(metric), evidence=SimpleUploadedFile("bien-ban.pdf", PDF))
    observation = Observation.objects.get(agency=khcn, metric=metric)
    assert bucket.keys() == [observation.evidence.name]
    url = reverse("observation_evidence", args=[observation.pk])

    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert 'attachment; filename="bien-ban.pdf"' in response["Content-Disposition"]
    assert response["Content-Length"] == str(len(PDF))
    client.force_login(other_agency_staff)
    assert client.get(url).status_code == 404
    client.force_login(steering)
    assert b"".join(client.get(url).streaming_content) == PDF
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page: never a link to the bucket
    assert _files_under(disk) == []


def test_a_report_is_built_issued_signed_and_downloaded_from_the_bucket(
    client,
    plan,
    reviewer,
    agency_staff,
    world,  # noqa: F811 - the imported fixture
    pki,
    quick_pdf,  # noqa: F811 - the imported fixture
    bucket,
    disk,
    django_capture_on_commit_callbacks,
):
    key = _key(pki, "bcd", "bcd")  # the Steering Committee's key: its PKCS#12 file is in the bucket too
    report = _draft(plan, world, reviewer, django_capture_on_commit_callbacks)
    draft_files = sorted([report.docx.name, report.xlsx.name, report.pdf.name, key.p12.name])
    assert bucket.keys() == draft_files

    issued = services.report_issue(report=report, number="31", issued_on=ISSUED_ON, user=reviewer)

    issued_files = sorted([issued.docx.name, issued.xlsx.name, issued.pdf.name, key.p12.name])
    assert bucket.keys() == issued_files  # the draft's files replaced, not left behind
    client.force_login(reviewer)
    response = client.get(reverse("periodic_report_download", args=[issued.pk, "pdf"]))
    pdf = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert signing.pdf_verify(pdf, trust_roots=[pki.root]).valid
    docx = client.get(reverse("periodic_report_download", args=[issued.pk, "docx"]))
    assert b"".join(docx.streaming_content)[:2] == b"PK"
    client.force_login(agency_staff)  # the province's report is not an agency's to read
    assert client.get(reverse("periodic_report_download", args=[issued.pk, "pdf"])).status_code == 404
    assert _files_under(disk) == []


def _disk_with(folder: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


def test_files_move_from_disk_to_the_bucket_each_checked(bucket, tmp_path):
    files = {"evidence/2026/03/a.pdf": PDF, "imports/2026/03/b.xlsx": xlsx(GOOD), "reports/2026/c.docx": b"PK\x03\x04x"}
    root = _disk_with(tmp_path / "uploads", files)
    out = io.StringIO()

    call_command("move_files_to_bucket", "--from", str(root), "--dry-run", stdout=out)
    assert "3 tệp" in out.getvalue() and "sẽ chuyển: 3" in out.getvalue()
    assert bucket.keys() == [] and sorted(p.relative_to(root).as_posix() for p in _files_under(root)) == sorted(files)

    call_command("move_files_to_bucket", "--from", str(root), stdout=(out := io.StringIO()))
    assert "đã chuyển: 3" in out.getvalue()
    assert bucket.keys() == sorted(files)
    assert all(default_storage.open(name).read() == content for name, content in files.items())
    assert _files_under(root) == []

    # run again over a copy left on disk: the same content counts as moved, nothing is written twice
    _disk_with(root, {"evidence/2026/03/a.pdf": PDF})
    call_command("move_files_to_bucket", "--from", str(root), stdout=(out := io.StringIO()))
    assert "đã có trên kho, cùng nội dung: 1" in out.getvalue() and _files_under(root) == []


def test_a_file_whose_name_is_taken_by_other_content_stays_on_disk(bucket, tmp_path):
    default_storage.save("evidence/a.pdf", io.BytesIO(b"%PDF-1.4 other"))
    root = _disk_with(tmp_path / "uploads", {"evidence/a.pdf": PDF, "evidence/b.pdf": PDF})
    err = io.StringIO()

    with pytest.raises(CommandError, match="vẫn nằm trên đĩa"):
        call_command("move_files_to_bucket", "--from", str(root), "--keep", stdout=io.StringIO(), stderr=err)

    assert "evidence/a.pdf: trên kho đã có tệp khác cùng tên" in err.getvalue()
    assert default_storage.open("evidence/a.pdf").read() == b"%PDF-1.4 other"  # never overwritten
    assert default_storage.open("evidence/b.pdf").read() == PDF
    assert (root / "evidence/a.pdf").read_bytes() == PDF and (root / "evidence/b.pdf").exists()  # --keep


def test_a_copy_that_does_not_read_back_as_the_file_is_taken_back(bucket, tmp_path, monkeypatch):
    from core import storage

    root = _disk_with(tmp_path / "uploads", {"evidence/a.pdf": PDF})
    real = storage.file_digest
    calls = []

    def digest_corrupted_on_read_back(handle):
        calls.append(handle)
        size, digest = real(handle)
        return (size, "0" * 64) if len(calls) == 2 else (size, digest)

    monkeypatch.setattr(storage, "file_digest", digest_corrupted_on_read_back)
    moved = storage.file_move("evidence/a.pdf", source=FileSystemStorage(location=str(root)), target=default_storage)

    assert moved.outcome == "failed check"
    assert bucket.keys() == [] and (root / "evidence/a.pdf").read_bytes() == PDF


def test_the_command_refuses_without_a_bucket(settings, tmp_path):
    settings.AWS_STORAGE_BUCKET_NAME = ""
    with pytest.raises(CommandError, match="AWS_STORAGE_BUCKET_NAME"):
        call_command("move_files_to_bucket", "--from", str(tmp_path))


def test_readyz_names_the_bucket_and_is_unready_when_it_cannot_be_reached(client, db, bucket, s3_server, settings):
    answer = client.get("/readyz").json()
    assert answer["checks"]["storage"]["ok"] is True
    assert answer["checks"]["storage"]["detail"] == f"bucket plan65-test at {s3_server.endpoint}"

    settings.STORAGES = {**settings.STORAGES, "default": storage_options(s3_server, "khong-co")}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["storage"]["ok"] is False
    assert "404" in response.json()["checks"]["storage"]["error"]
    assert response.json()["checks"]["database"]["ok"] is True


APPS = ["core", "agencies", "indicators", "tasks", "entry", "imports", "comments", "demo", "dashboards", "reports"]
APPS += ["opendata", "config"]


def _path_uses(source: str) -> list[tuple[int, str]]:
    """Where code asks a stored file (or a storage) for its path on disk: ``x.path`` other than a request's."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "path":
            owner = ast.unparse(node.value)
            if owner not in ("os", "sys") and not owner.split(".")[-1] == "request":
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Name | ast.Attribute) and getattr(node, "id", getattr(node, "attr", "")) in (
            "MEDIA_ROOT",
            "PRIVATE_MEDIA_ROOT",
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_code_reads_a_stored_file_by_its_path():
    """Every stored file goes through the default storage by name (docs/architecture.md): a path on disk exists
    on one node only, and not at all with the bucket. Only the settings and the move from disk name the folder."""
    allowed = {"config/settings.py", "core/management/commands/move_files_to_bucket.py"}
    offending = {}
    for app in APPS:
        for module in sorted((ROOT / app).rglob("*.py")):
            name = module.relative_to(ROOT).as_posix()
            if "/migrations/" in name or name in allowed:
                continue
            if uses := _path_uses(module.read_text()):
                offending[name] = uses
    assert offending == {}


def test_the_path_rule_catches_a_stored_file_read_by_path():
    assert _path_uses("open(report.pdf.path, 'rb')") == [(1, "report.pdf.path")]
    assert _path_uses("default_storage.path(name)") == [(1, "default_storage.path")]
    assert _path_uses("x = settings.PRIVATE_MEDIA_ROOT / name") == [(1, "settings.PRIVATE_MEDIA_ROOT")]
    assert _path_uses("if request.path.startswith('/api/'): os.path.join(a, b)") == []
