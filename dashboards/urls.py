from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tong-quan/", views.overview, name="overview"),
    path("chi-tieu/", views.plan_overview, name="plan_overview"),
    path("chi-tieu/<str:code>/", views.indicator_page, name="indicator"),
    path("chi-tieu/<str:key>/y-kien/", views.comment_create, {"subject": "indicator"}, name="indicator_comment"),
    path("co-quan/", views.agency_list, name="agency_list"),
    path("co-quan/<slug:code>/", views.agency_page, name="agency"),
    path("nhiem-vu/", views.task_board, name="task_list"),
    path("tra-cuu/", views.explorer_page, name="explorer"),
    # <int:number> never matches tasks/urls.py's "nhiem-vu/cap-nhat/" or "nhiem-vu/bao-cao/…", and the deeper
    # "nhiem-vu/<int:number>/cap-nhat/" is a different path: neither is shadowed
    path("nhiem-vu/<int:number>/", views.task_detail, name="task_detail"),
    path("nhiem-vu/<int:key>/y-kien/", views.comment_create, {"subject": "task"}, name="task_comment"),
]
