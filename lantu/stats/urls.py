"""The statistics pages, under /stats/ (the home page is the site's root)."""

from django.urls import path, re_path

from lantu.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.board, name="dashboard"),
    path("r/<str:code>/", views.board, name="region"),
    path("r/<str:code>/dashboard.xlsx", views.board_xlsx, name="xlsx"),
    path("r/<str:code>/chart/<str:chart>.xlsx", views.chart_xlsx, name="chart_xlsx"),
    re_path(
        r"^r/(?P<code>\d+)/report/(?P<period>\d{4}(?:-\d{1,2})?)\.(?P<fmt>xlsx|pdf)$",
        views.report,
        name="report",
    ),
    path("headline/", views.headline_page, name="headline"),
    path("indicators/", views.indicator_list, name="indicators"),
]
