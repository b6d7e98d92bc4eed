from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("account/partners/", views.customer_partner_list_view, name="customer_partner_list"),
    path("account/partners/<int:pk>/", views.customer_partner_detail_view, name="customer_partner_detail"),
    path("account/partners/<int:pk>/end/", views.customer_partner_end_view, name="customer_partner_end"),
    path("managed-customers/", views.ManagedCustomerListView.as_view(), name="managed_list"),
    path("managed-customers/<int:pk>/open/", views.managed_open_view, name="managed_open"),
    path("managed-customers/<int:pk>/end/", views.managed_end_view, name="managed_end"),
]
