from django.urls import path

from . import review_views

urlpatterns = [
    path("", review_views.review_list, name="review_list"),
    path("<int:pk>/", review_views.review_detail, name="review_detail"),
    path("<int:pk>/noi-dung/", review_views.review_sections, name="review_sections"),
    path("<int:pk>/khen-thuong/", review_views.review_commend, name="review_commend"),
    path("<int:pk>/ban-hanh/", review_views.review_issue, name="review_issue"),
    path("<int:pk>/phien-ban-moi/", review_views.review_new_version, name="review_new_version"),
    path("<int:pk>/tai/<str:fmt>/", review_views.review_download, name="review_download"),
]
