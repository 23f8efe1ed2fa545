from django.contrib import admin
from django.urls import include, path

from lantu.api.urls import api
from lantu.projects.urls import public_patterns as projects_public
from lantu.stats import views as stats_views
from lantu.supervision.urls import public_patterns as supervision_public

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("lantu.accounts.urls")),
    path("registry/", include("lantu.registry.urls")),
    path("procedures/", include("lantu.procedures.urls")),
    path("exits/", include("lantu.exits.urls")),
    path("matching/", include("lantu.matching.urls")),
    path("precision/", include("lantu.precision.urls")),
    path("assistance/", include("lantu.assistance.urls")),
    path("monitoring/", include("lantu.monitoring.urls")),
    path("projects/", include("lantu.projects.urls")),
    path("public/projects/", include(projects_public)),
    path("jobs/", include("lantu.jobs.urls")),
    path("stats/", include("lantu.stats.urls")),
    path("supervision/", include("lantu.supervision.urls")),
    path("public/supervision/", include(supervision_public)),
    path("api/", api.urls),
    path("", stats_views.home_page, name="home"),
]
