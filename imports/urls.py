from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.import_index, name="index"),
    path("huong-dan/", views.import_guide, name="guide"),
    path("<int:pk>/", views.import_preview_page, name="preview"),
    path("<int:pk>/trang-thai/", views.import_status, name="status"),
    path("<int:pk>/xac-nhan/", views.import_confirm, name="confirm"),
    path("<int:pk>/kiem-tra-lai/", views.import_retry, name="retry"),
    path("<int:pk>/hoan-tac/", views.import_undo, name="undo"),
    path("mau-nhap/", views.template_download, name="template"),
    path("xuat-so-lieu/", views.figures_export, name="export_figures"),
]
