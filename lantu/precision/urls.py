from django.urls import path

from lantu.precision import views

app_name = "precision"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>.xlsx", views.export, name="export"),
]
