from django.urls import path

from . import views

app_name = "adjustments"
urlpatterns = [
    path("", views.adjustment_list, name="list"),
    path("moi/", views.adjustment_create, name="create"),
    path("<int:pk>/", views.adjustment_detail, name="detail"),
    path("<int:pk>/quyet-dinh/", views.adjustment_update, name="update"),
    path("<int:pk>/noi-dung/", views.adjustment_change_add, name="change_add"),
    path("<int:pk>/noi-dung/<int:change_id>/xoa/", views.adjustment_change_remove, name="change_remove"),
    path("<int:pk>/van-ban/", views.adjustment_signed_file, name="signed_file"),
    path("<int:pk>/dinh-kem/", views.adjustment_file, name="file"),
    path("<int:pk>/phe-duyet/", views.adjustment_approve, name="approve"),
    path("<int:pk>/xoa/", views.adjustment_delete, name="delete"),
    path("<int:pk>/bai-bo/", views.adjustment_revoke, name="revoke"),
]
