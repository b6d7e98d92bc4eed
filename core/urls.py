from django.urls import path

from core import views_pages

app_name = "core"

urlpatterns = [
    path("", views_pages.dashboard_view, name="dashboard"),
]
