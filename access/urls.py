from django.urls import path

from access import views

app_name = "access"

urlpatterns = [
    path("service-accesses/", views.ServiceAccessListView.as_view(), name="serviceaccess_list"),
    path("service-accesses/activate/", views.activate_view, name="activate"),
    path("service-accesses/<int:pk>/login/", views.switch_in_view, name="switch_in"),
    path("service-accesses/leave/", views.switch_out_view, name="switch_out"),
    path("profile/service-access/", views.code_view, name="code"),
    path("profile/service-access/<int:pk>/revoke/", views.revoke_view, name="revoke"),
]
