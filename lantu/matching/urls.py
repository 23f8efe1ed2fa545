from django.urls import path

from lantu.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.work_queue, name="work_queue"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("datasets/", views.datasets, name="datasets"),
    path("reviews/<int:pk>/", views.decide_review, name="decide_review"),
]
