from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import dashboard_view
from core.health import healthz_view
from core.metrics import metrics_view
from partnerportal.api import api
from portal.tls import tls_ask_view

handler400 = "core.views_pages.error_400"
handler403 = "core.views_pages.error_403"
handler404 = "core.views_pages.error_404"
handler500 = "core.views_pages.error_500"

urlpatterns = [
    path("", dashboard_view, name="dashboard"),
    path("", include("users.urls")),
    path("account/", include("accounts.urls")),
    path("activity/", include("audit.urls")),
    path("customers/", include("customers.urls")),
    path("", include("profiles.urls")),
    path("contracts/", include("contracts.urls")),
    path("products/", include("products.urls")),
    path("hostings/", include("hosting.urls")),
    path("portal-templates/mails/", include("portal.mail_log_urls")),
    path("", include("access.urls")),
    path("", include("partners.urls")),
    path("support/", include("support.urls")),
    path("", include("portal.template_urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("portal-hosts/tls-ask/", tls_ask_view, name="portal_tls_ask"),
    # For the load balancer and Prometheus: no login, plain HTTP allowed (SECURE_REDIRECT_EXEMPT).
    path("healthz", healthz_view, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("operator/", admin.site.urls),
    path("api/v1/", api.urls),
]
