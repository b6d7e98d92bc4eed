from django.urls import path

from partners import invitation_views, share_views, views

app_name = "partners"

urlpatterns = [
    path("account/partners/", views.customer_partner_list_view, name="customer_partner_list"),
    path("account/partners/<int:pk>/", views.customer_partner_detail_view, name="customer_partner_detail"),
    path("account/partners/<int:pk>/end/", views.customer_partner_end_view, name="customer_partner_end"),
    path("managed-customers/", invitation_views.ManagedCustomerListView.as_view(), name="managed_list"),
    path("managed-customers/<int:pk>/open/", views.managed_open_view, name="managed_open"),
    path("managed-customers/<int:pk>/end/", views.managed_end_view, name="managed_end"),
    # The partner invites (way 1, issue #20).
    path("managed-customers/invite/", invitation_views.invitation_add_view, name="invitation_add"),
    path(
        "managed-customers/invite/customer/<int:pk>/",
        invitation_views.invitation_add_view,
        name="invitation_for_customer",
    ),
    path(
        "managed-customers/invitations/<int:pk>/withdraw/",
        invitation_views.invitation_withdraw_view,
        name="invitation_withdraw",
    ),
    path(
        "managed-customers/<int:pk>/rights-confirmed/",
        invitation_views.managed_rights_confirm_view,
        name="managed_rights_confirm",
    ),
    path("partner-invitation/<str:token>/", invitation_views.invitation_answer_view, name="invitation_answer"),
]

# The customer shares (issue #20, way 2). ``share_add`` takes ``?partner=<account id>``: the public profile's
# "Zugriff freigeben" links there.
urlpatterns += [
    path("account/partners/share/", share_views.share_add_view, name="share_add"),
    path("account/partners/share/profile/<int:pk>/", share_views.share_from_profile_view, name="share_from_profile"),
    path("account/partners/shares/<int:pk>/withdraw/", share_views.share_withdraw_view, name="share_withdraw"),
    path("customers/shares/", share_views.PartnerShareListView.as_view(), name="share_list"),
    path("customers/shares/<int:pk>/connect/", share_views.share_connect_view, name="share_connect"),
    path("customers/shares/<int:pk>/decline/", share_views.share_decline_view, name="share_decline"),
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
