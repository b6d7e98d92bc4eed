"""The end-customer portal's URLs: the urlconf of every request on a portal template's host.

Nothing of the main portal is reachable here (``portal.middleware.PortalHostMiddleware`` selects this
urlconf); login, logout and password-reset paths are the main portal's, so mail links are the template's
portal URL plus the same path.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from portal import service_access_views, template_views, views

handler400 = "portal.views.error_400"
handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"

endportal_patterns = [
    path("", views.overview_view, name="overview"),
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_otp_view, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("password/reset/", views.password_reset_view, name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("products/", views.products_view, name="products"),
    path("domains/", views.domains_view, name="domains"),
    path("hostings/<int:pk>/", views.hosting_view, name="hosting"),
    path("hostings/<int:pk>/plesk/", views.hosting_plesk_view, name="hosting_plesk"),
    path("profile/", views.profile_view, name="profile"),
    path("profile/password/", views.password_change_view, name="password_change"),
    path("profile/two-factor/", views.two_factor_setup_view, name="two_factor_setup"),
    path("profile/two-factor/off/", views.two_factor_disable_view, name="two_factor_disable"),
    path(
        "profile/service-access/<int:pk>/revoke/",
        service_access_views.revoke_view,
        name="service_access_revoke",
    ),
    # The reseller viewing through a service access: the one-time link from the main portal, and its end.
    path("service-access/end/", service_access_views.end_view, name="service_access_end"),
    path("service-access/<str:token>/", service_access_views.enter_view, name="service_access_enter"),
    path("theme.css", views.theme_view, name="theme"),
    # The same path as on the main host (``PortalTemplate.image_url``); here only this host's template.
    path("portal-assets/<int:pk>/<str:kind>/", template_views.template_image_view, name="template_image"),
]

urlpatterns = [
    path("", include((endportal_patterns, "endportal"))),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
