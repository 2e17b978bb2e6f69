from django.urls import path

from . import views

urlpatterns = [
    path("", views.public_indicators, name="public_indicators"),
]
