"""Open-data bulk downloads and their descriptions: streamed CSV per dataset, the Frictionless Data Package
(``/api/datapackage.json``) and the DCAT catalogue in JSON-LD (``/api/catalog.jsonld``).

Same access rule and rate limits as the rest of the API. The descriptions are built from ``datasets.DATASETS``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from indicators.selectors import plan_current

from .api import OpenDataAnonThrottle, OpenDataPermission, OpenDataSchema, OpenDataUserThrottle
from .datasets import BY_SLUG, DATASETS, Dataset, csv_lines

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


class OpenDataView(APIView):
    schema = OpenDataSchema()
    permission_classes = [OpenDataPermission]
    throttle_classes = [OpenDataAnonThrottle, OpenDataUserThrottle]


def dataset_filename(dataset: Dataset, on: date) -> str:
    """What the file holds and as of when: "so-lieu-da-phe-duyet-theo-co-quan_65-KH-TU_2026-12-01.csv"."""
    plan = plan_current()
    plan_part = f"_{plan.code.replace('/', '-')}" if plan else ""
    return f"{dataset.filename}{plan_part}_{on.isoformat()}.csv"


class DatasetDownloadView(OpenDataView):
    @extend_schema(
        summary="Tải toàn bộ một bộ dữ liệu (CSV, UTF-8 có BOM), không phân trang",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def get(self, request, slug: str):
        dataset = BY_SLUG.get(slug)
        if dataset is None:
            raise Http404
        response = StreamingHttpResponse(csv_lines(dataset), content_type="text/csv; charset=utf-8")
        filename = dataset_filename(dataset, timezone.localdate())
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _download_url(request, dataset: Dataset) -> str:
    return request.build_absolute_uri(reverse("api:dataset-csv", args=[dataset.slug]))


def _licence() -> dict:
    return {
        "name": settings.OPEN_DATA_LICENSE_NAME,
        "path": settings.OPEN_DATA_LICENSE_URL,
        "title": settings.OPEN_DATA_LICENSE_TITLE,
    }


def datapackage_descriptor(request) -> dict:
    """A Frictionless (tabular) Data Package whose resources are the bulk CSV downloads."""
    plan = plan_current()
    resources = []
    for dataset in DATASETS:
        resources.append(
            {
                "name": dataset.slug,
                "path": _download_url(request, dataset),
                "title": dataset.title,
                "description": dataset.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "profile": "tabular-data-resource",
                "schema": dataset.schema(),
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "ke-hoach-65-kh-tu",
        "title": f"Dữ liệu mở Kế hoạch {plan.code}" if plan else "Dữ liệu mở",
        "description": plan.title if plan else "",
        "homepage": request.build_absolute_uri(reverse("public_datasets")),
        "licenses": [_licence()],
        "contributors": [{"title": settings.OPEN_DATA_PUBLISHER, "role": "publisher"}],
        "created": timezone.localtime().isoformat(timespec="seconds"),
        "resources": resources,
    }


class DataPackageView(OpenDataView):
    @extend_schema(summary="Frictionless Data Package mô tả các tệp tải toàn bộ", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(datapackage_descriptor(request))


def dcat_catalogue(request) -> dict:
    """The catalogue in DCAT (JSON-LD): every dataset with its licence, frequency, last change and downloads."""
    plan = plan_current()
    publisher = {"@type": "foaf:Organization", "foaf:name": settings.OPEN_DATA_PUBLISHER}
    contact = {"@type": "vcard:Organization", "vcard:fn": settings.OPEN_DATA_PUBLISHER}
    if settings.OPEN_DATA_CONTACT_EMAIL:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}"}
    licence = {"@id": settings.OPEN_DATA_LICENSE_URL}
    page = request.build_absolute_uri(reverse("public_datasets"))
    datapackage = request.build_absolute_uri(reverse("api:datapackage"))
    entries = []
    for dataset in DATASETS:
        modified = _when(dataset.modified())
        entry = {
            "@id": f"{page}#{dataset.slug}",
            "@type": "dcat:Dataset",
            "dct:identifier": dataset.slug,
            "dct:title": {"@value": dataset.title, "@language": "vi"},
            "dct:description": {"@value": dataset.description, "@language": "vi"},
            "dct:publisher": publisher,
            "dct:license": licence,
            "dct:language": {"@id": "http://id.loc.gov/vocabulary/iso639-1/vi"},
            "dct:accrualPeriodicity": {"@id": dataset.frequency},
            "dcat:contactPoint": contact,
            "dcat:landingPage": {"@id": f"{page}#{dataset.slug}"},
            "dcat:distribution": [
                {
                    "@type": "dcat:Distribution",
                    "dct:title": {"@value": f"{dataset.title} (CSV)", "@language": "vi"},
                    "dcat:downloadURL": {"@id": _download_url(request, dataset)},
                    "dcat:mediaType": "text/csv",
                    "dct:format": "CSV",
                    "dct:license": licence,
                    "dct:conformsTo": {"@id": datapackage},
                }
            ],
        }
        if modified:
            entry["dct:modified"] = {"@value": modified, "@type": "xsd:dateTime" if "T" in modified else "xsd:date"}
        entries.append(entry)
    return {
        "@context": DCAT_CONTEXT,
        "@id": page,
        "@type": "dcat:Catalog",
        "dct:title": {"@value": f"Dữ liệu mở Kế hoạch {plan.code}" if plan else "Dữ liệu mở", "@language": "vi"},
        "dct:description": {"@value": plan.title if plan else "", "@language": "vi"},
        "dct:publisher": publisher,
        "dct:license": licence,
        "dcat:contactPoint": contact,
        "dcat:dataset": entries,
    }


class CatalogueView(OpenDataView):
    @extend_schema(
        summary="Danh mục dữ liệu mở theo DCAT (JSON-LD)",
        responses={(200, "application/ld+json"): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request):
        return JsonResponse(
            dcat_catalogue(request), content_type="application/ld+json", json_dumps_params={"ensure_ascii": False}
        )
