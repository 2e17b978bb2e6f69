from django.urls import path

from . import views

urlpatterns = [
    path("nhiem-vu/cap-nhat/", views.task_progress, name="task_progress"),
    path("nhiem-vu/<int:number>/cap-nhat/", views.task_update_edit, name="task_update_edit"),
    path("nhiem-vu/bao-cao/<int:pk>/", views.task_update_detail, name="task_update_detail"),
    path("nhiem-vu/bao-cao/<int:pk>/lich-su/", views.task_update_history, name="task_update_history"),
    path("nhiem-vu/bao-cao/<int:pk>/minh-chung/", views.task_update_evidence, name="task_update_evidence"),
]
