from django.urls import path

from . import oversight_views, task_views, views

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
    # inspections and their recommendations
    path("kiem-tra/", oversight_views.inspection_list, name="inspection_list"),
    path("kiem-tra/them/", oversight_views.inspection_create, name="inspection_create"),
    path("kiem-tra/<int:pk>/", oversight_views.inspection_detail, name="inspection_detail"),
    path("kiem-tra/<int:pk>/sua/", oversight_views.inspection_edit, name="inspection_edit"),
    path("kiem-tra/<int:pk>/kien-nghi/", oversight_views.recommendation_create, name="recommendation_create"),
    path(
        "kiem-tra/<int:pk>/quyet-dinh/",
        oversight_views.inspection_document,
        {"which": "decision"},
        name="inspection_decision_file",
    ),
    path(
        "kiem-tra/<int:pk>/ket-luan/",
        oversight_views.inspection_document,
        {"which": "conclusion"},
        name="inspection_conclusion_file",
    ),
    path("kien-nghi/", oversight_views.recommendation_list, name="recommendation_list"),
    path("kien-nghi/<int:pk>/", oversight_views.recommendation_detail, name="recommendation_detail"),
    path("kien-nghi/<int:pk>/sua/", oversight_views.recommendation_edit, name="recommendation_edit"),
    path(
        "kien-nghi/bao-cao/<int:pk>/minh-chung/",
        oversight_views.recommendation_update_evidence,
        name="recommendation_update_evidence",
    ),
    path(
        "kien-nghi/bao-cao/<int:pk>/lich-su/",
        oversight_views.recommendation_update_history,
        name="recommendation_update_history",
    ),
]
