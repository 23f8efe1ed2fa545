"""The room's pages, under /supervision/ (staff) and /public/supervision/ (no login)."""

from django.urls import path

from lantu.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("discrepancies/", views.discrepancies, name="discrepancies"),
    path("discrepancies/<int:pk>/", views.discrepancy_act, name="discrepancy_act"),
    path("run/<str:kind>/", views.start_job, name="start"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("findings/<int:pk>/act/", views.finding_act, name="finding_act"),
    path("rankings/", views.ranking_list, name="rankings"),
    path("chain/<str:kind>/<int:pk>/", views.chain_page, name="chain"),
]

public_patterns = (
    [
        path("<str:code>/", views.public_rankings, name="county"),
        path("r/<int:pk>.pdf", views.public_pdf, name="pdf"),
    ],
    "supervision_public",
)
