"""The registry's pages, under /registry/."""

from django.urls import path

from lantu.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("export.xlsx", views.household_export, name="household_export"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/errors/<str:token>.xlsx", views.import_errors, name="import_errors"),
]
