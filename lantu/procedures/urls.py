"""The procedure pages, under /procedures/ (the public notice pages need no login)."""

app_name = "procedures"

urlpatterns: list = []
