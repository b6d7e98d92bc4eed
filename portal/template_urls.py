from django.urls import path

from portal import template_views as views

app_name = "portal"

urlpatterns = [
    path("portal-templates/", views.PortalTemplateListView.as_view(), name="template_list"),
    path("portal-templates/<int:pk>/", views.PortalTemplateEditView.as_view(), name="template_edit"),
    path("portal-assets/<int:pk>/<str:kind>/", views.template_image_view, name="template_image"),
]
