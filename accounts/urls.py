from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("switch/", views.switch_view, name="switch"),
    path("members/", views.MembershipListView.as_view(), name="membership_list"),
    path("members/<int:pk>/edit/", views.MembershipEditView.as_view(), name="membership_edit"),
    path("members/<int:pk>/delete/", views.MembershipDeleteView.as_view(), name="membership_delete"),
    path("members/invite/", views.invitation_add_view, name="invitation_add"),
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("settings/", views.account_settings_view, name="settings"),
]
