from django.urls import path

from . import views

urlpatterns = [
    path("", views.periodic_report_list, name="periodic_report_list"),
    path("<int:pk>/", views.periodic_report_detail, name="periodic_report_detail"),
    path("<int:pk>/danh-gia/", views.periodic_report_narrative, name="periodic_report_narrative"),
    path("<int:pk>/ban-hanh/", views.periodic_report_issue, name="periodic_report_issue"),
    path("<int:pk>/phien-ban-moi/", views.periodic_report_new_version, name="periodic_report_new_version"),
    path("<int:pk>/tai/<str:fmt>/", views.periodic_report_download, name="periodic_report_download"),
    path("<int:pk>/trung-uong/<str:fmt>/", views.periodic_report_central, name="periodic_report_central"),
]
