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

# Managed customers: the partner's page of one, employees (Meine Kunden), e-mail copy, the MKM customer link.
from partners import managed_views  # noqa: E402

urlpatterns += [
    path("managed-customers/<int:pk>/", managed_views.managed_detail_view, name="managed_detail"),
    path("managed-customers/<int:pk>/employees/", managed_views.managed_assign_view, name="managed_assign"),
    path("managed-customers/<int:pk>/email-copy/", managed_views.managed_email_copy_view, name="managed_email_copy"),
    path("managed-customers/<int:pk>/customer/", managed_views.managed_link_view, name="managed_link"),
    path("customers/<int:pk>/partnership/open/", managed_views.endcustomer_open_view, name="endcustomer_open"),
    path(
        "customers/<int:pk>/partnership/end/", managed_views.endcustomer_disconnect_view, name="endcustomer_disconnect"
    ),
]
