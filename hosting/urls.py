from django.urls import path

from hosting import plan_views, views

app_name = "hosting"

urlpatterns = [
    path("", views.ResellerHostingListView.as_view(), name="resellerhosting_list"),
    path("contracts/<int:pk>/hostings/", views.ContractHostingsView.as_view(), name="contract_hostings"),
    path("contracts/<int:pk>/hostings/add/", views.hosting_add_view, name="hosting_add"),
    path("contracts/<int:pk>/subscriptions/", views.ContractSubscriptionsView.as_view(), name="contract_subscriptions"),
    path(
        "contracts/<int:pk>/subscriptions/<int:subscription_id>/link/",
        views.subscription_link_view,
        name="subscription_link",
    ),
    path("customers/<int:pk>/space/", views.hosting_space_add_view, name="hosting_space_add"),
    path("<int:pk>/", views.ResellerHostingDetailView.as_view(), name="resellerhosting_detail"),
    path("<int:pk>/domain/", views.hosting_add_domain_view, name="resellerhosting_add_domain"),
    path("<int:pk>/status/", views.hosting_status_view, name="resellerhosting_status"),
    path("<int:pk>/retry/", views.hosting_retry_view, name="resellerhosting_retry"),
    path("<int:pk>/correct/", views.hosting_correct_view, name="resellerhosting_correct"),
    path("<int:pk>/cancel/", views.hosting_cancel_view, name="resellerhosting_cancel"),
    path("<int:pk>/suspend/", views.hosting_suspend_view, name="resellerhosting_suspend"),
    path("<int:pk>/unsuspend/", views.hosting_unsuspend_view, name="resellerhosting_unsuspend"),
    path("<int:pk>/delete/", views.hosting_delete_view, name="resellerhosting_delete"),
    path("<int:pk>/change-product/", views.hosting_change_product_view, name="resellerhosting_change_product"),
]

urlpatterns += [
    path("plans/", plan_views.HostingPlanListView.as_view(), name="hostingplan_list"),
    path("plans/add/", plan_views.plan_add_view, name="hostingplan_add"),
    path("contracts/<int:pk>/plans/<int:plan_id>/edit/", plan_views.plan_edit_view, name="hostingplan_edit"),
    path("contracts/<int:pk>/plans/<int:plan_id>/delete/", plan_views.plan_delete_view, name="hostingplan_delete"),
]
