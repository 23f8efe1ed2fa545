"""Login and logout (the names ``login`` and ``logout`` are what settings refer to), and user
management (``user_views``)."""

from django.urls import path

from lantu.accounts import user_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("users/", user_views.user_list, name="users"),
    path("users/new/", user_views.user_edit, name="user_new"),
    path("users/<int:pk>/", user_views.user_edit, name="user"),
    path("users/<int:pk>/password/", user_views.user_password, name="user_password"),
    path("users/<int:pk>/active/", user_views.user_active, name="user_active"),
]
