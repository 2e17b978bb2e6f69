from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import api, dataset_views

router = DefaultRouter()
router.include_format_suffixes = False
router.APIRootView = api.OpenDataRootView
router.register("plans", api.PlanViewSet, basename="plan")
router.register("indicators", api.IndicatorViewSet, basename="indicator")
router.register("metrics", api.MetricViewSet, basename="metric")
router.register("tasks", api.TaskViewSet, basename="task")
router.register("figures", api.FigureViewSet, basename="figure")
router.register("province-figures", api.ProvinceFigureViewSet, basename="province-figure")
router.register("target-statuses", api.TargetStatusViewSet, basename="target-status")
router.register("task-statuses", api.TaskStatusViewSet, basename="task-status")
router.register("plan-adjustments", api.PlanAdjustmentViewSet, basename="plan-adjustment")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("datapackage.json", dataset_views.DataPackageView.as_view(), name="datapackage"),
    path("catalog.jsonld", dataset_views.CatalogueView.as_view(), name="catalogue"),
    path("datasets/<slug:slug>.csv", dataset_views.DatasetDownloadView.as_view(), name="dataset-csv"),
    path("central-export/", api.CentralExportView.as_view(), name="central-export"),
    path("", include(router.urls)),
    re_path(r"^.*$", api.not_found),
]
