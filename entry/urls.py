from django.urls import path

from . import task_views, views

urlpatterns = [
    path("viec-can-lam/", views.worklist, name="worklist"),
    path("so-lieu/", views.figure_entry, name="figure_entry"),
    path("so-lieu/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("so-lieu/<int:pk>/dieu-chinh/", views.observation_correction, name="observation_correction"),
    path("so-lieu/<int:pk>/lich-su/", views.observation_history, name="observation_history"),
    path("so-lieu/<int:pk>/minh-chung/", views.observation_evidence, name="observation_evidence"),
    path("tham-dinh/", views.review_queue_view, name="review_queue"),
    path("tham-dinh/danh-gia-dinh-tinh/", views.qualitative_assessment, name="qualitative_assessment"),
    path("ky-bao-cao/", views.period_list, name="period_list"),
    path("ky-bao-cao/khoa-qua-han/", views.periods_lock_overdue, name="periods_lock_overdue"),
    path("ky-bao-cao/<int:pk>/khoa/", views.period_lock, {"locked": True}, name="period_lock"),
    path("ky-bao-cao/<int:pk>/mo/", views.period_lock, {"locked": False}, name="period_open"),
    path("ky-bao-cao/<int:pk>/tinh-hinh-nop/", views.period_completeness_view, name="period_completeness"),
    # task progress reports
    path("nhiem-vu/cap-nhat/", task_views.task_progress, name="task_progress"),
    path("nhiem-vu/<int:number>/cap-nhat/", task_views.task_update_edit, name="task_update_edit"),
    path("nhiem-vu/bao-cao/<int:pk>/", task_views.task_update_detail, name="task_update_detail"),
    path("nhiem-vu/bao-cao/<int:pk>/lich-su/", task_views.task_update_history, name="task_update_history"),
    path("nhiem-vu/bao-cao/<int:pk>/minh-chung/", task_views.task_update_evidence, name="task_update_evidence"),
]
