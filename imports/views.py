"""Pages for spreadsheet imports: upload, preview, confirm, list and undo; agency templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from core.formatting import format_vn_number
from core.spreadsheets import resource_export
from imports.models import ImportBatch
from indicators.models import Observation
from indicators.resources import ObservationResource
from indicators.selectors import plan_current

from . import kinds as kinds_module
from .base import OUTCOME_LABELS, SKIPPED, UNDONE_LABELS
from .batches import ImportRefused, import_batch_confirm, import_batch_retry, import_batch_undo, import_batch_upload
from .forms import AgencyUploadForm, TemplateForm, UploadForm, size_limit_text
from .submissions import UndoRefused
from .templates import figures_template, period_for_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_importer(user) -> None:
    """Administrators import anything; agency staff only their own agency's figures (through the template)."""
    if not (user.is_administrator or (user.is_agency_staff and user.agency_id)):
        raise PermissionDenied


def _batch_for_user(user, pk: int) -> ImportBatch:
    """The one scoping rule for batches: administrators see all, agency staff their own agency's uploads."""
    _require_importer(user)
    batches = ImportBatch.objects.select_related("agency", "created_by")
    if not user.is_administrator:
        batches = batches.filter(created_by=user, agency_id=user.agency_id, kind=ImportBatch.Kind.FIGURES)
    return get_object_or_404(batches, pk=pk)


#: the kinds the format guide describes, in the order offices meet them
Kind = ImportBatch.Kind
GUIDE_KINDS = [Kind.FIGURES, Kind.TASK_UPDATES, Kind.AGENCIES, Kind.USERS]


@login_required
def import_guide(request):
    """The file format guide, written from the columns the importer itself reads (never out of date)."""
    _require_importer(request.user)
    kinds = [(kind, kinds_module.get(kind).COLUMNS) for kind in GUIDE_KINDS]
    return render(request, "imports/guide.html", {"kinds": kinds, "limit": size_limit_text()})


@login_required
def import_index(request):
    _require_importer(request.user)
    user = request.user
    form_class = UploadForm if user.is_administrator else AgencyUploadForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if user.is_administrator:
            options = {
                "kind": form.cleaned_data["kind"],
                "only_agency": form.cleaned_data["agency"],
                "approve": form.cleaned_data["approve"],
                "options": form.plan_options(),
            }
        else:
            options = {"kind": ImportBatch.Kind.FIGURES, "only_agency": user.agency, "approve": False}
        batch = import_batch_upload(content=upload.read(), filename=upload.name, user=user, **options)
        return redirect("imports:preview", pk=batch.pk)
    batches = ImportBatch.objects.select_related("agency", "created_by")
    if not user.is_administrator:
        batches = batches.filter(created_by=user)
    return render(
        request,
        "imports/index.html",
        {
            "form": form,
            "batches": batches[:50],
            "limit": size_limit_text(),
            "template_form": _template_form(request, None),
        },
    )


def _progress(batch: ImportBatch) -> dict:
    """What the batch page and its status endpoint show of a batch: its status as a reader sees it and, while
    a job runs, the step and "x / y dòng"."""
    status = batch.status_now
    running = status in ImportBatch.RUNNING
    done, total = format_vn_number(batch.progress_done), format_vn_number(batch.progress_total)
    if not running or not (batch.progress_done or batch.progress_total):
        text = ""
    elif batch.progress_total:
        text = gettext("%(done)s / %(total)s dòng") % {"done": done, "total": total}
    else:  # the file does not say how many rows it has
        text = gettext("%(done)s dòng") % {"done": done}
    return {
        "status": status,
        "label": str(ImportBatch.Status(status).label),
        "running": running,
        "step": batch.get_progress_step_display() if running else "",
        "done": batch.progress_done,
        "total": batch.progress_total,
        "text": text,
        "stale": status != batch.status,  # shown failed while its job is said to run
    }


@login_required
@require_GET
def import_status(request, pk: int):
    """The batch's progress as JSON, polled by the batch page (static/js/importprogress.js) while a job runs."""
    batch = _batch_for_user(request.user, pk)
    response = JsonResponse(_progress(batch))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def import_preview_page(request, pk: int):
    batch = _batch_for_user(request.user, pk)
    summary = batch.summary or {}
    undone = batch.status == ImportBatch.Status.UNDONE
    rows = [
        {
            "line": row[0],
            "outcome": row[1],
            # once undone, what the row became: "Mới" went, "Cập nhật" came back
            "outcome_label": UNDONE_LABELS.get(row[1], OUTCOME_LABELS[row[1]]) if undone else OUTCOME_LABELS[row[1]],
            "label": row[2],
            "messages": row[3],
            "read": row[4] if len(row) > 4 else [],  # previews stored before the values read were kept
        }
        for row in summary.get("rows", [])
    ]
    return render(
        request,
        "imports/preview.html",
        {
            "batch": batch,
            "progress": _progress(batch),
            "stale_minutes": settings.IMPORT_JOB_STALE_MINUTES,
            "summary": summary,
            "rows": rows,
            "hidden_rows": summary.get("total", 0) - summary.get("counts", {}).get(SKIPPED, 0) - len(rows),
            "undone": undone,
        },
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    """Write a previewed batch (within the request when small, else by a job); its page then shows the outcome."""
    batch = _batch_for_user(request.user, pk)
    try:
        import_batch_confirm(batch=batch)
    except ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("imports:preview", pk=batch.pk)


@login_required
@require_POST
def import_retry(request, pk: int):
    """Check again a batch whose job failed or went silent."""
    batch = _batch_for_user(request.user, pk)
    try:
        import_batch_retry(batch=batch)
    except ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("imports:preview", pk=batch.pk)


@login_required
@require_POST
def import_undo(request, pk: int):
    if not request.user.is_administrator:
        raise PermissionDenied
    batch = _batch_for_user(request.user, pk)
    if request.POST.get("xac_nhan") != "1":
        messages.error(request, "Chưa hoàn tác: hãy đánh dấu ô xác nhận rồi bấm lại.")
        return redirect("imports:preview", pk=batch.pk)
    try:
        import_batch_undo(batch=batch, user=request.user)
    except (ImportRefused, UndoRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã hoàn tác lần nhập.")
    return redirect("imports:preview", pk=batch.pk)


def _template_form(request, data) -> TemplateForm:
    plan = plan_current()
    today = timezone.localdate()
    return TemplateForm(data, user=request.user, today=today, start=plan.issued_on if plan else today)


@login_required
def template_download(request):
    """The agency's pre-filled template for a reporting round; staff only for their own agency."""
    _require_importer(request.user)
    user = request.user
    asked = request.GET.get("agency")
    if asked and not user.is_administrator and asked != user.agency.code:
        raise PermissionDenied
    form = _template_form(request, request.GET or None)
    if not form.is_valid():
        return render(request, "imports/template_form.html", {"form": form}, status=400 if request.GET else 200)
    agency = form.cleaned_data["agency"]
    period = period_for_template(form.cleaned_data["period"])
    content = figures_template(plan=plan_current(), agency=agency, period=period)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="mau-so-lieu-{agency.code}-{form.cleaned_data["period"]}.xlsx"'
    )
    return response


@login_required
def figures_export(request):
    """Every figure (administrators) as xlsx or csv, in the import format."""
    if not request.user.is_administrator:
        raise PermissionDenied
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    content = resource_export(ObservationResource(), Observation.objects.all(), fmt=fmt, title="Số liệu")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="so-lieu.{fmt}"'
    return response
