"""The procedure pages, under /procedures/ (the public notice pages need no login)."""

from django.urls import path

from lantu.procedures import change_views, clock_views, public, views, year_views

app_name = "procedures"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("open/", views.open_cases, name="open"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("change/<int:pk>/", change_views.change_request, name="change_request"),
    path("clock/", clock_views.training_clock, name="training_clock"),
    path(
        "cases/<int:pk>/objections/<int:objection>/",
        views.resolve_objection,
        name="resolve_objection",
    ),
    path("cases/<int:pk>/evidence/", views.upload_evidence, name="evidence"),
    path("cases/<int:pk>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("years/<int:year>/", year_views.year_report, name="year_report"),
    path("years/<int:year>/changes.xlsx", year_views.year_report_xlsx, name="year_report_xlsx"),
    path("years/compare/", year_views.year_compare, name="year_compare"),
    path("public/<str:code>/", public.village_notices, name="public_village"),
    path("public/notices/<int:pk>/object/", public.object_to, name="object"),
    path("public/notices/<int:pk>.pdf", public.notice_pdf, name="notice_pdf"),
]
