from django.urls import path

from . import report_views

urlpatterns = [
    path("", report_views.periodic_report_list, name="periodic_report_list"),
    path("<int:pk>/", report_views.periodic_report_detail, name="periodic_report_detail"),
    path("<int:pk>/danh-gia/", report_views.periodic_report_narrative, name="periodic_report_narrative"),
    path("<int:pk>/ban-hanh/", report_views.periodic_report_issue, name="periodic_report_issue"),
    path("<int:pk>/phien-ban-moi/", report_views.periodic_report_new_version, name="periodic_report_new_version"),
    path("<int:pk>/tai/<str:fmt>/", report_views.periodic_report_download, name="periodic_report_download"),
]
