"""The exit pages, under /exits/."""

from django.urls import path

from lantu.exits import views

app_name = "exits"

urlpatterns = [
    path("", views.index, name="index"),
    path("counties/<str:code>/", views.county, name="county"),
    path("counties/<str:code>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("counties/<str:code>/draw/", views.draw, name="draw"),
    path("counties/<str:code>/open/", views.open_exit, name="open"),
    path("counties/<str:code>/rosters/", views.upload_rosters, name="rosters"),
    path("assessments/<int:pk>/import/", views.import_answers, name="import"),
    path("assessments/<int:pk>/estimate/", views.estimate, name="estimate"),
    path("assessments/<int:pk>/<str:what>", views.download, name="download"),
]
