"""The room's pages, under /projects/ (staff) and /public/projects/ (no login)."""

from django.urls import path

from lantu.projects import public, views

app_name = "projects"

urlpatterns = [
    path("", views.library, name="library"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("new/", views.project_new, name="project_new"),
    path("<int:pk>/act/", views.project_act, name="project_act"),
    path("funds/", views.funds, name="funds"),
    path("roadmap/<str:code>/", views.roadmap, name="roadmap"),
    path("village/<str:code>/", views.village, name="village"),
    path("household/<int:pk>/", views.household_io, name="household_io"),
    path("findings/", views.work_queue, name="work_queue"),
    path("import/", views.import_upload, name="import"),
    path("import/template/<str:slug>.xlsx", views.import_template, name="import_template"),
    path("import/errors/<str:token>.xlsx", views.import_errors, name="import_errors"),
]

public_patterns = (
    [
        path("<str:code>/", public.county_projects, name="county"),
        path("p/<int:pk>/object/", public.object_to, name="object"),
        path("p/<int:pk>.pdf", public.project_pdf, name="pdf"),
    ],
    "projects_public",
)
