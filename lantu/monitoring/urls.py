"""The monitoring pages under /monitoring/ (the public ones, /monitoring/report/ and
/monitoring/status/, need no login)."""

from django.urls import path

from lantu.monitoring import public, views, visit_views

app_name = "monitoring"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/act/", views.act, name="act"),
    path("tickets/<int:pk>/photo/", views.photo, name="photo"),
    path("sla/", views.sla_view, name="sla"),
    path("rounds/", visit_views.rounds, name="rounds"),
    path("rounds/<int:pk>/", visit_views.round_detail, name="round"),
    path("rounds/<int:pk>/import/", visit_views.round_import, name="round_import"),
    path("visits/<int:pk>/", visit_views.visit, name="visit"),
    path("report/", public.report, name="public_report"),
    path("report/code/", public.send_code, name="public_send_code"),
    path("status/", public.status, name="public_status"),
    path("status/sign-off/", public.sign_off, name="public_sign_off"),
]
