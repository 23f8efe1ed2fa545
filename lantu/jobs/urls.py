"""The job pages, under /jobs/."""

from django.urls import path

from lantu.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("start/<str:kind>/", views.start, name="start"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/progress/", views.run_progress, name="progress"),
    path("<int:pk>/rerun/", views.rerun, name="rerun"),
    path("<int:pk>/result/", views.result, name="result"),
]
