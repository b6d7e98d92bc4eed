from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("partner-profile/", views.profile_edit_view, name="profile_edit"),
    path("partner/", views.directory_view, name="directory"),
    path("partner/<slug:slug>/", views.public_profile_view, name="public_profile"),
    path("partner/<slug:slug>/sent/", views.inquiry_sent_view, name="inquiry_sent"),
    path("partner-logos/<int:pk>/", views.logo_view, name="logo"),
    path("inquiries/", views.InquiryListView.as_view(), name="inquiry_list"),
    path("inquiries/<int:pk>/", views.InquiryDetailView.as_view(), name="inquiry_detail"),
    path("inquiries/<int:pk>/customer/", views.inquiry_customer_view, name="inquiry_customer"),
    path("inquiries/<int:pk>/status/", views.inquiry_status_view, name="inquiry_status"),
    path("customers/<int:pk>/inquiries/", views.EndCustomerInquiriesView.as_view(), name="endcustomer_inquiries"),
]
