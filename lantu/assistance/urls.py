from django.urls import path

from lantu.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("gaps/", views.gap_list, name="gaps"),
    path("cadres/", views.cadre_list, name="cadres"),
    path("teams/", views.team_list, name="teams"),
    path("mine/", views.mine, name="mine"),
    path("export/<str:what>/", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/template/<str:kind>/", views.import_template, name="import_template"),
    path("plan/<int:pk>/", views.plan_edit, name="plan"),
]
