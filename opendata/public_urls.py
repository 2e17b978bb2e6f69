from django.urls import path

from . import views

urlpatterns = [
    path("", views.public_indicators, name="public_indicators"),
    path("du-lieu/", views.public_datasets, name="public_datasets"),
    path("chi-tieu/<str:code>/", views.public_indicator, name="public_indicator"),
]
