"""Open data: a read-only JSON (and CSV) API of the plan, its targets and tasks, approved figures and statuses.

Anonymous readers are let in only while ``settings.PUBLIC_DATA_ENABLED``; otherwise a log-in is required.
Every list is paginated and every client rate-limited (DRF throttling on the cache). Only GET/HEAD/OPTIONS
are routed: anything else answers 405. Figures are only ever the approved ones.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Prefetch
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, renderers, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import APIRootView
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView, exception_handler

from agencies.models import Agency
from core import snapshots
from core.clients import client_address
from core.snapshots import MAX_KEY_QUERY, cached_page_block
from core.spreadsheets import neutralise
from dashboards.selectors import latest_statuses
from indicators import readings
from indicators.models import (
    Indicator,
    Metric,
    ParsedTarget,
    Period,
    Plan,
    PlanAdjustment,
    PlanChange,
    ProvinceValue,
    Target,
)
from indicators.selectors import observations_approved, plan_current
from indicators.statuses import target_statuses_at
from oversight.selectors import CentralMappingMissing, central_export_collect, period_for_export
from tasks.models import Task, TaskOccurrence

from . import serializers


class OpenDataPermission(permissions.BasePermission):
    """Anyone while public data is on; otherwise only logged-in users."""

    message = gettext_lazy("Dữ liệu mở đang tắt: hãy đăng nhập để xem.")

    def has_permission(self, request, view) -> bool:
        return settings.PUBLIC_DATA_ENABLED or bool(request.user and request.user.is_authenticated)


class ClientAddressMixin:
    """Clients told apart by the project's one rule for addresses (``core.clients.client_address``)."""

    def get_ident(self, request) -> str | None:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        # a list built ahead by a recompute (core/prebuild.py) is no client's request
        return getattr(request._request, "built_ahead", False) or super().allow_request(request, view)


class OpenDataAnonThrottle(ClientAddressMixin, AnonRateThrottle):
    scope = "open_data_anon"

    def get_rate(self) -> str:
        # read at request time, so the rate follows the settings (and tests can lower it)
        return settings.OPEN_DATA_THROTTLE_ANON


class OpenDataUserThrottle(ClientAddressMixin, UserRateThrottle):
    scope = "open_data_user"

    def get_rate(self) -> str:
        return settings.OPEN_DATA_THROTTLE_USER


class NotFoundSaying(exceptions.NotFound):
    """A 404 whose message, already in the request's language, says why (no central mapping yet)."""


def open_data_exception_handler(exc, context):
    """Error messages in the request's one language: ours, never Django's or DRF's English defaults."""
    if isinstance(exc, Http404) or (isinstance(exc, exceptions.NotFound) and not isinstance(exc, NotFoundSaying)):
        exc = exceptions.NotFound(gettext("Không tìm thấy dữ liệu yêu cầu."))
    elif isinstance(exc, exceptions.Throttled):
        message = gettext("Quá nhiều yêu cầu; hãy thử lại sau %(seconds)s giây.")
        exc = exceptions.Throttled(exc.wait, message % {"seconds": int(exc.wait or 60)})
    elif isinstance(exc, exceptions.MethodNotAllowed):
        exc = exceptions.MethodNotAllowed(context["request"].method, gettext("Dữ liệu mở chỉ cho phép đọc (GET)."))
    return exception_handler(exc, context)


@extend_schema(exclude=True)
@api_view(["GET", "HEAD"])
@permission_classes([OpenDataPermission])
@throttle_classes([OpenDataAnonThrottle, OpenDataUserThrottle])
def not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON 404 in the request's language, not Django's English page."""
    raise exceptions.NotFound()


class OpenDataPagination(PageNumberPagination):
    """Pages of 100 rows (``page_size`` up to 1000). A page or page size that is not a whole number in range is a
    400, not silently the first page or the default size."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def _whole(self, request, name: str, maximum: int) -> None:
        raw = request.query_params.get(name)
        if raw is not None and not (raw.isdigit() and raw.isascii() and 1 <= int(raw) <= maximum):
            raise drf_serializers.ValidationError({name: [f"Phải là số nguyên từ 1 đến {maximum}."]})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: 10**6, self.page_size_query_param: self.max_page_size}
        for parameter in parameters:
            parameter["schema"].update({"minimum": 1, "maximum": bounds[parameter["name"]]})
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self._whole(request, self.page_query_param, 10**6)
        self._whole(request, self.page_size_query_param, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)


class FigurePagination(BasePagination):
    """Keyset pagination for the millions of figures, in the order of their ids: ``?after=ID`` (the ``next`` link
    carries it), no total count, and every page costs the same however deep: ``WHERE id > ID ORDER BY id
    LIMIT n``, or, when the list is filtered by one metric or agency (``view.keyset_fixed``: that column and its
    value), ``WHERE (metric_id, id) > (M, ID) ORDER BY metric_id, id``: a condition only the (metric, id) or
    (agency, id) index can answer, so that PostgreSQL does not walk the primary key through every other
    metric's figures (its estimate for ``metric_id = M AND id > ID ORDER BY id``)."""

    page_size = 100
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            size = int(request.query_params.get("page_size", self.page_size))
            after = int(request.query_params.get("after", 0))
        except ValueError as exc:
            raise ValidationError(gettext("Tham số page_size và after phải là số nguyên.")) from exc
        size = min(max(size, 1), self.max_page_size)
        fixed = getattr(view, "keyset_fixed", None)
        if fixed:
            column, value = fixed
            quote, table = connection.ops.quote_name, queryset.model._meta.db_table
            later = RawSQL(  # noqa: S611 - identifiers from the model, values as parameters
                f"({quote(table)}.{quote(column)}, {quote(table)}.{quote('id')}) > (%s, %s)",
                [value, after],
                output_field=BooleanField(),
            )
            queryset = queryset.filter(later).order_by(column, "id")
        else:
            queryset = queryset.filter(id__gt=after).order_by("id")
        rows = list(queryset[: size + 1])
        self.next_after = rows[size - 1].pk if len(rows) > size else None
        return rows[:size]

    @property
    def next_url(self) -> str | None:
        if getattr(self, "next_after", None) is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "after", self.next_after)

    def get_paginated_response(self, data):
        return Response({"next": self.next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {"next": {"type": "string", "nullable": True, "format": "uri"}, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "after",
                "in": "query",
                "required": False,
                "schema": {"type": "integer"},
                "description": "Chỉ lấy số liệu có id lớn hơn (lấy từ liên kết next).",
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "schema": {"type": "integer"},
                "description": f"Số dòng mỗi trang (tối đa {self.max_page_size}).",
            },
        ]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 30.000000 → 30, and never 3E+1
    return neutralise(value)


def _flatten(item: dict, prefix: str = "") -> dict:
    row = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            row[name] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            row[name] = value
    return row


class CSVRenderer(renderers.BaseRenderer):
    """``?format=csv``: the page's rows as CSV (UTF-8 with BOM, so Excel reads Vietnamese), nested values as
    JSON, text cells guarded against formula injection."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        elif isinstance(data, dict):
            data = [data]
        # an error rendered as CSV can be a list of messages: each becomes a "detail" row
        rows = [_flatten(item if isinstance(item, dict) else {"detail": str(item)}) for item in data or []]
        columns: list[str] = []
        for row in rows:
            columns += [key for key in row if key not in columns]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(value) for key, value in row.items()})
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


#: every filter the API takes, with its type and bounds: a word for a year, a NUL byte or a 10 000-character
#: code is a 400 with a message per parameter, never a query. The schema's parameters are built from the same
#: table (``filter_parameter``), so what the schema allows is exactly what the API accepts.
FILTER_SPECS: dict[str, dict] = {
    "plan": {"type": "string", "maxLength": 40},
    "group": {"type": "string", "maxLength": 10},
    "metric": {"type": "string", "maxLength": 60},
    "agency": {"type": "string", "maxLength": 60},
    "indicator": {"type": "string", "maxLength": 12},
    "status": {"type": "string", "maxLength": 12},
    "year": {"type": "integer", "minimum": 1900, "maximum": 2200},
    "task": {"type": "integer", "minimum": 1, "maximum": 32767},
    "period_kind": {"type": "string", "enum": ["month", "quarter", "half_year", "year"]},
}
_NO_NUL = "^[^\\u0000]*$"


def filter_parameter(name: str, description: str = "") -> OpenApiParameter:
    spec = dict(FILTER_SPECS[name])
    if spec["type"] == "string" and "enum" not in spec:
        spec["pattern"] = _NO_NUL
    return OpenApiParameter(name, spec, description=description)


def _filter_field(spec: dict) -> drf_serializers.Field:
    if "enum" in spec:
        return drf_serializers.ChoiceField(choices=spec["enum"], required=False)
    if spec["type"] == "integer":
        return drf_serializers.IntegerField(min_value=spec["minimum"], max_value=spec["maximum"], required=False)
    # DRF's CharField refuses NUL bytes itself
    return drf_serializers.CharField(max_length=spec["maxLength"], required=False, allow_blank=True)


def _filters(request, mapping: dict[str, str]) -> dict:
    """The lookups for the query parameters present in ``mapping`` (parameter -> field), validated:
    ``ValidationError`` (400) names each bad parameter."""
    repeated = {name: ["Chỉ một giá trị."] for name in mapping if len(request.query_params.getlist(name)) > 1}
    if repeated:
        raise drf_serializers.ValidationError(repeated)
    fields = {name: _filter_field(FILTER_SPECS[name]) for name in mapping}
    filters = type("Filters", (drf_serializers.Serializer,), fields)(
        data={name: request.query_params[name] for name in mapping if request.query_params.get(name)}
    )
    filters.is_valid(raise_exception=True)
    return {mapping[name]: value for name, value in filters.validated_data.items() if value != ""}


_TODAY = object()


def _as_of(request, default=_TODAY) -> date | None:
    """The ``as_of`` query parameter (YYYY-MM-DD): the day whose plan, targets or statuses are asked; default
    today. ``ParseError`` (400) when it cannot be read."""
    raw = request.query_params.get("as_of")
    if not raw:
        return timezone.localdate() if default is _TODAY else default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ParseError(gettext_lazy("Ngày tính “as_of” không hợp lệ: hãy ghi theo dạng YYYY-MM-DD.")) from None


AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="Kế hoạch có hiệu lực tại ngày này (YYYY-MM-DD); mặc định: hôm nay"
)


class OpenDataSchema(AutoSchema):
    """The API's schema as it behaves: readable without logging in while public data is on, and answering
    400 (a bad filter), 404 (no such item or page) and 429 (rate limit) besides 200."""

    def get_auth(self):
        auths = super().get_auth()
        if settings.PUBLIC_DATA_ENABLED and {} not in auths:
            auths.append({})
        return auths

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = {
            "description": "Lỗi: tham số không hợp lệ, không tìm thấy, hoặc vượt giới hạn truy cập",
            "content": {
                media: {"schema": {"type": "string"} if media == "text/csv" else {}}
                for media in ("application/json", "text/csv")
            },
        }
        for code in ("400", "404", "429"):
            responses.setdefault(code, error)
        return responses


class OpenDataViewSet(viewsets.GenericViewSet):
    schema = OpenDataSchema()
    permission_classes = [OpenDataPermission]
    throttle_classes = [OpenDataAnonThrottle, OpenDataUserThrottle]
    pagination_class = OpenDataPagination
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def initial(self, request, *args, **kwargs):
        fmt = request.query_params.get("format")
        if fmt is not None and fmt not in ("json", "csv"):
            raise drf_serializers.ValidationError({"format": ["Chỉ có json hoặc csv."]})
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        more = getattr(response, "next_link", None)
        if more:
            # a list cut into pages says so outside its body too (RFC 8288): a CSV has nowhere else to say it
            response["Link"] = f'<{more}>; rel="next"'
        if getattr(request, "accepted_renderer", None) and request.accepted_renderer.format == "csv":
            name = csv_filename(self.basename, request, more=bool(more))
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


#: what each endpoint's CSV holds, in the file name a citizen saves
CSV_NAMES = {
    "plan": "ke-hoach",
    "indicator": "chi-tieu-va-muc-tieu",
    "metric": "chi-so",
    "task": "nhiem-vu",
    "figure": "so-lieu-da-phe-duyet-theo-co-quan",
    "province-figure": "gia-tri-toan-tinh-theo-ky",
    "target-status": "tinh-trang-muc-tieu",
    "task-status": "tinh-trang-nhiem-vu-theo-co-quan",
}


#: query parameters that say which part of a list a file holds, not which rows it is about
_PAGING = {"format", "page", "page_size", "after"}


def csv_filename(basename: str, request, *, more: bool = False) -> str:
    """What a CSV holds, in its name: "so-lieu-da-phe-duyet-theo-co-quan_metric-online_admin_dossiers_year-2026_
    trang-1_con-tiep_2026-12-01.csv" — the list, its filters, which part of it (the page, or the rows after an
    id) and "còn tiếp" when more rows follow, the day. A filtered or partial file never takes the whole list's
    name."""
    name = CSV_NAMES.get(basename, basename)
    params = request.query_params
    filters = "".join(
        f"_{_slug(key)}-{_slug(params[key])}" for key in sorted(params) if key not in _PAGING and params.get(key)
    )
    page, after = params.get("page", ""), params.get("after", "")
    part = ""
    if page.isdigit() and (page != "1" or more):
        part = f"_trang-{page}"
    elif after.isdigit() and after != "0":
        part = f"_sau-id-{after}"
    elif more:
        part = "_trang-1"
    if more:
        part += "_con-tiep"
    return f"{name}{filters}{part}_{timezone.localdate().isoformat()}.csv"


def _slug(text: str) -> str:
    """A query value as it may sit in a file name: letters, digits, "_" and "-" only, at most 40 characters."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "-" for c in str(text))[:40]


class RenderedResponse(Response):
    """A response whose body was rendered before (and kept): DRF only sets its content type. ``next_link``: the
    next page's address when the list goes on (kept with the body: the ``Link`` header and the file name)."""

    def __init__(self, content: bytes, next_link: str | None = None):
        super().__init__()
        self.kept_content = content
        self.next_link = next_link

    @property
    def rendered_content(self) -> bytes:
        renderer = self.accepted_renderer
        self["Content-Type"] = (
            f"{renderer.media_type}; charset={renderer.charset}" if renderer.charset else renderer.media_type
        )
        return self.kept_content


class CachedListModelMixin(mixins.ListModelMixin):
    """A list is the same for every reader (approved data only): its page is kept like the dashboards' until what
    it shows changes (``cache_depends``, core/snapshots.py), under its host (the ``next`` links are absolute), path,
    query and the accepted media type — rendered, so that a request served from the cache encodes no JSON."""

    #: what the list shows (core/snapshots.py's vocabulary)
    cache_depends: tuple[str, ...] = (snapshots.PLAN,)

    def list(self, request, *args, **kwargs):
        query = urlencode(sorted(request.query_params.lists()), doseq=True)
        if len(query) > MAX_KEY_QUERY:
            return self.list_uncached(request, *args, **kwargs)

        def render() -> tuple[bytes, str | None]:
            response = super(CachedListModelMixin, self).list(request, *args, **kwargs)
            content = request.accepted_renderer.render(
                response.data, request.accepted_media_type, self.get_renderer_context()
            )
            return content, next_link(self.paginator)

        content, more = cached_page_block(
            "api-rendered-v2",
            request.path,
            query,
            request.get_host(),
            request.accepted_renderer.format,
            request.accepted_media_type,
            depends=self.cache_depends,
            build=render,
        )
        return RenderedResponse(content, more)

    def list_uncached(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.next_link = next_link(self.paginator)
        return response


def next_link(paginator) -> str | None:
    """The address of the page after the one just served, if the list goes on."""
    if paginator is None:
        return None
    if isinstance(paginator, FigurePagination):
        return paginator.next_url
    return paginator.get_next_link() if getattr(paginator, "page", None) is not None else None


class ReadOnlyOpenDataViewSet(CachedListModelMixin, mixins.RetrieveModelMixin, OpenDataViewSet):
    pass


PLAN = filter_parameter("plan", "Mã kế hoạch, ví dụ 65-KH/TU")


class PlanViewSet(ReadOnlyOpenDataViewSet):
    """Kế hoạch."""

    queryset = Plan.objects.order_by("-issued_on", "pk")
    serializer_class = serializers.PlanSerializer


@extend_schema_view(list=extend_schema(parameters=[PLAN, filter_parameter("group"), AS_OF]))
class IndicatorViewSet(ReadOnlyOpenDataViewSet):
    """Chỉ tiêu (Phụ lục I) với các ô mục tiêu theo mốc năm và các mục tiêu định lượng của mỗi ô."""

    serializer_class = serializers.IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        day = _as_of(self.request)
        metric = ("metric", "metric__plan", "metric__reporting_agency")
        parsed = ParsedTarget.objects.select_related(*metric).order_by("position")
        cells = (
            Target.objects.in_force(day).order_by("year").prefetch_related(Prefetch("parsed_targets", queryset=parsed))
        )
        return (
            Indicator.objects.in_force(day)
            .filter(**_filters(self.request, {"plan": "plan__code", "group": "group__code"}))
            .select_related("plan", "group")
            .prefetch_related(Prefetch("targets", queryset=cells))
            .order_by("plan_id", "group__order", "number")
        )


@extend_schema_view(list=extend_schema(parameters=[PLAN]))
class MetricViewSet(ReadOnlyOpenDataViewSet):
    """Chỉ số đo lường mà các mục tiêu hướng tới."""

    serializer_class = serializers.MetricSerializer
    lookup_field = "code"

    def get_queryset(self):
        return (
            Metric.objects.filter(**_filters(self.request, {"plan": "plan__code"}))
            .select_related("plan", "reporting_agency")
            .order_by("plan_id", "code")
        )


@extend_schema_view(list=extend_schema(parameters=[PLAN, filter_parameter("group"), AS_OF]))
class TaskViewSet(ReadOnlyOpenDataViewSet):
    """Nhiệm vụ (Phụ lục II)."""

    serializer_class = serializers.TaskSerializer
    lookup_field = "number"

    def get_queryset(self):
        return (
            Task.objects.filter(**_filters(self.request, {"plan": "plan__code", "group": "group__code"}))
            .with_terms(_as_of(self.request))
            .filter(terms_in_force__isnull=False)
            .select_related("plan", "group")
            .order_by("plan_id", "number")
        )


class PlanAdjustmentViewSet(ReadOnlyOpenDataViewSet):
    """Lịch sử điều chỉnh kế hoạch: các quyết định đã phê duyệt, ngày có hiệu lực và từng nội dung điều chỉnh."""

    serializer_class = serializers.PlanAdjustmentSerializer

    def get_queryset(self):
        approved = PlanAdjustment.objects.filter(status=PlanAdjustment.Status.APPROVED)
        return (
            approved.filter(**_filters(self.request, {"plan": "plan__code"}))
            .select_related("plan", "revokes")
            .prefetch_related(
                Prefetch("changes", queryset=PlanChange.objects.order_by("order")),
                Prefetch("revocations", queryset=approved, to_attr="revoked_by"),
            )
            .order_by("effective_on", "pk")
        )


FIGURE_FILTERS = [
    filter_parameter("metric", "Mã chỉ số"),
    filter_parameter("year"),
    filter_parameter("period_kind"),
]


@extend_schema_view(list=extend_schema(parameters=[*FIGURE_FILTERS, filter_parameter("agency")]))
class FigureViewSet(ReadOnlyOpenDataViewSet):
    """Số liệu đã được phê duyệt của từng cơ quan, địa phương (chỉ số liệu đã duyệt)."""

    serializer_class = serializers.FigureSerializer
    pagination_class = FigurePagination
    cache_depends = (snapshots.PLAN, snapshots.APPROVED)

    def get_queryset(self):
        # codes resolved to ids first, so that PostgreSQL walks the (metric, id) or (agency, id) index in order
        params = self.request.query_params
        figures = observations_approved()
        self.keyset_fixed = None
        for name, model in (("agency", Agency), ("metric", Metric)):
            if params.get(name):
                ids = list(model.objects.filter(code=params[name]).values_list("pk", flat=True))
                figures = figures.filter(**{f"{name}_id__in": ids})
                if len(ids) == 1:  # one metric (or agency) fixed: its (…, id) index gives the rows in id order
                    self.keyset_fixed = (f"{name}_id", ids[0])
        periods = _filters(self.request, {"year": "year", "period_kind": "kind"})
        if periods:
            figures = figures.filter(period_id__in=list(Period.objects.filter(**periods).values_list("pk", flat=True)))
        return figures.select_related("metric", "agency", "period")


@extend_schema_view(list=extend_schema(parameters=FIGURE_FILTERS))
class ProvinceFigureViewSet(CachedListModelMixin, OpenDataViewSet):
    """Số liệu toàn tỉnh theo kỳ, tổng hợp từ số liệu đã phê duyệt của các cơ quan (bản tính gần nhất)."""

    serializer_class = serializers.ProvinceFigureSerializer
    cache_depends = (snapshots.PLAN, snapshots.FIGURES)

    def get_queryset(self):
        # the progress engine's snapshot, computed from approved figures only: the same numbers as the dashboards
        mapping = {"metric": "metric__code", "year": "period__year", "period_kind": "period__kind"}
        return (
            ProvinceValue.objects.filter(**_filters(self.request, mapping))
            .select_related("metric", "period")
            .order_by("metric__code", "period__ends_on", "period__kind", "pk")
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Ngày tính; mặc định: lần tính gần nhất"),
            OpenApiParameter(
                "reading",
                {"type": "string", "enum": list(readings.READINGS)},
                description=(
                    "Với ngày tính đã qua: as_known (mặc định) — số liệu tại thời điểm đó, chỉ gồm số liệu đã duyệt "
                    "đến hết ngày đó; current — số liệu hiện có cho các kỳ đến ngày đó."
                ),
            ),
            filter_parameter("indicator"),
            filter_parameter("status"),
        ]
    )
)
class TargetStatusViewSet(CachedListModelMixin, OpenDataViewSet):
    """Tình trạng của từng mục tiêu định lượng tại một ngày tính (tính từ số liệu đã phê duyệt)."""

    serializer_class = serializers.TargetStatusSerializer
    cache_depends = (snapshots.PLAN, snapshots.FIGURES)

    reading = readings.DEFAULT

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "reading": self.reading}

    def get_queryset(self):
        """Statuses as of ``as_of`` — the latest on or before that day, computed as reports do — or a refusal."""
        as_of = _as_of(self.request, default=None)
        if as_of is not None and as_of > timezone.localdate():
            raise ParseError(gettext_lazy("Chưa thể tính tình trạng cho một ngày trong tương lai."))
        try:
            self.reading = readings.reading_or_default(self.request.query_params.get("reading"))
        except ValueError:
            raise drf_serializers.ValidationError({"reading": ["Chỉ có as_known hoặc current."]}) from None
        if as_of is None and self.reading == readings.DEFAULT:
            # the latest computation as every page shows it: the statuses block they share, built once a change
            plan = plan_current()
            rows = latest_statuses(plan) if plan is not None else []
        else:
            rows = target_statuses_at(as_of=as_of, reading=self.reading)
        wanted = _filters(self.request, {"indicator": "indicator", "status": "status"})
        indicator, status = wanted.get("indicator"), wanted.get("status")
        rows = [
            row
            for row in rows
            if (not indicator or row.parsed_target.target.indicator.code == indicator)
            and (not status or row.status == status)
        ]
        return sorted(
            rows,
            key=lambda row: (
                row.parsed_target.target.indicator.group.order,
                row.parsed_target.target.indicator.number,
                row.parsed_target.target.year,
                row.parsed_target.position,
                row.parsed_target_id,
            ),
        )


@extend_schema_view(
    list=extend_schema(parameters=[filter_parameter("task"), filter_parameter("agency"), filter_parameter("status")])
)
class TaskStatusViewSet(CachedListModelMixin, OpenDataViewSet):
    """Tình trạng các lần đến hạn của nhiệm vụ theo từng cơ quan."""

    serializer_class = serializers.TaskStatusSerializer
    cache_depends = (snapshots.PLAN, snapshots.TASKS)

    def get_queryset(self):
        mapping = {"task": "task__number", "agency": "agency__code", "status": "status"}
        return (
            TaskOccurrence.objects.filter(**_filters(self.request, mapping))
            .select_related("task", "agency")
            .order_by("due_on", "task__number", "agency__code", "pk")
        )


class OpenDataRootView(APIRootView):
    """Danh mục các điểm truy cập dữ liệu mở."""

    permission_classes = [OpenDataPermission]
    throttle_classes = [OpenDataAnonThrottle, OpenDataUserThrottle]

    def get_view_name(self) -> str:
        return gettext("Dữ liệu mở")

    def get_view_description(self, html: bool = False) -> str:
        text = gettext(
            "Các điểm truy cập dữ liệu mở (chỉ số liệu đã duyệt), dạng JSON. Tải cả bộ dữ liệu, danh mục và giấy "
            "phép: trang dữ liệu mở %(url)s."
        )
        url = reverse("public_datasets")
        if not html:
            return text % {"url": url}
        before, _url, after = text.partition("%(url)s")
        return format_html('<p>{}<a href="{}">{}</a>{}</p>', before, url, url, after)


#: a period as the export names it: "2026", "2026-H1", "2026-Q3", "2026-T09"
PERIOD_CODE = r"^(19|20|21)[0-9]{2}(-(H[12]|Q[1-4]|T(0[1-9]|1[0-2])))?$"


class CentralExportView(APIView):
    """Số liệu báo cáo hệ thống giám sát, đánh giá thực hiện Nghị quyết 57-NQ/TW của Trung ương cho một kỳ: mỗi
    chỉ tiêu của Trung ương một mục, giá trị toàn tỉnh đã phê duyệt mới nhất đến hết kỳ, quy đổi theo bảng quy
    đổi; cùng danh sách chỉ số chưa quy đổi (``unmapped``) và chỉ tiêu chưa có số liệu (``no_value``). Như lệnh
    ``central_export --json``."""

    schema = OpenDataSchema()
    permission_classes = [OpenDataPermission]
    throttle_classes = [OpenDataAnonThrottle, OpenDataUserThrottle]
    renderer_classes = [renderers.JSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                {"type": "string", "pattern": PERIOD_CODE},
                required=True,
                description="Kỳ báo cáo: 2026, 2026-H1, 2026-Q3 hoặc 2026-T09",
            ),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Số liệu tính đến ngày (mặc định hôm nay)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        problems = {}
        raw_period = request.query_params.get("period", "")
        if len(request.query_params.getlist("period")) > 1 or not re.fullmatch(PERIOD_CODE, raw_period):
            problems["period"] = [gettext("Hãy ghi một kỳ báo cáo: 2026, 2026-H1, 2026-Q3 hoặc 2026-T09.")]
        raw_as_of = request.query_params.get("as_of")
        as_of = timezone.localdate()
        if raw_as_of is not None:
            try:
                as_of = date.fromisoformat(raw_as_of)
            except ValueError:
                problems["as_of"] = [gettext("Ngày tính “as_of” không hợp lệ: hãy ghi theo dạng YYYY-MM-DD.")]
        if problems:
            raise ValidationError(problems)
        plan = plan_current()
        if plan is None:
            raise exceptions.NotFound()
        try:
            export = central_export_collect(plan=plan, period=period_for_export(raw_period), as_of=as_of)
        except CentralMappingMissing as exc:
            raise NotFoundSaying(str(exc)) from exc
        return Response(export.as_json())
