from django.urls import path

from portal import account_summary_views, service_access_views
from portal import template_views as views

app_name = "portal"

urlpatterns = [
    path("portal-templates/", views.PortalTemplateListView.as_view(), name="template_list"),
    path("portal-templates/<int:pk>/", views.PortalTemplateEditView.as_view(), name="template_edit"),
    path("service-accesses/<int:pk>/portal/", service_access_views.open_view, name="service_access_open"),
    path("portal-assets/<int:pk>/<str:kind>/", views.template_image_view, name="template_image"),
    # Kontenzusammenfassung anzeigen, on the end customer's page.
    path("customers/<int:pk>/account-summary/", account_summary_views.account_summary_view, name="account_summary"),
]
