from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.SupportRequestListView.as_view(), name="request_list"),
    path("new/", views.SupportRequestEditView.as_view(), name="request_add"),
    path("<int:pk>/", views.SupportRequestDetailView.as_view(), name="request_detail"),
]
