from django.urls import path

from portal.mail_log import MailDeliveryListView

app_name = "portal_mail"

urlpatterns = [
    path("", MailDeliveryListView.as_view(), name="maildelivery_list"),
]
