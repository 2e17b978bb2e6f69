from django.urls import path

from indicators import views as indicator_views

from . import views

urlpatterns = [
    path("", views.overview, name="home"),
    path("chi-tieu/", indicator_views.plan_overview, name="plan_overview"),
    path("chi-tieu/<str:code>/", views.indicator_page, name="indicator"),
    path("co-quan/", views.agency_list, name="agency_list"),
    path("co-quan/<slug:code>/", views.agency_page, name="agency"),
    path("nhiem-vu/", views.task_board, name="task_list"),
]
