from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.EndCustomerListView.as_view(), name="endcustomer_list"),
    path("add/", views.EndCustomerEditView.as_view(), name="endcustomer_add"),
    path("<int:pk>/", views.EndCustomerDetailView.as_view(), name="endcustomer_detail"),
    path("<int:pk>/edit/", views.EndCustomerEditView.as_view(), name="endcustomer_edit"),
    path("<int:pk>/delete/", views.EndCustomerDeleteView.as_view(), name="endcustomer_delete"),
    path("<int:pk>/products/", views.EndCustomerProductsView.as_view(), name="endcustomer_products"),
    path("<int:pk>/users/", views.EndCustomerUsersView.as_view(), name="endcustomer_users"),
    path("<int:pk>/users/add/", views.portaluser_add_view, name="portaluser_add"),
    path("<int:pk>/todos/", views.EndCustomerTodosView.as_view(), name="endcustomer_todos"),
    path("<int:customer_pk>/todos/add/", views.TodoEditView.as_view(), name="todo_add"),
    path("<int:pk>/activity/", views.EndCustomerActivityView.as_view(), name="endcustomer_activity"),
    path("users/<int:pk>/active/", views.portaluser_active_view, name="portaluser_active"),
    path("users/<int:pk>/password/", views.portaluser_password_view, name="portaluser_password"),
    path("users/<int:pk>/delete/", views.PortalUserDeleteView.as_view(), name="portaluser_delete"),
    path("<int:pk>/privacy/", views.endcustomer_privacy_view, name="endcustomer_privacy"),
    path("<int:pk>/privacy/export/", views.endcustomer_privacy_export_view, name="endcustomer_privacy_export"),
    path("<int:pk>/privacy/erase/", views.endcustomer_erase_view, name="endcustomer_erase"),
    path("bulk/", views.endcustomer_bulk_view, name="endcustomer_bulk"),
    path("import/", views.import_start_view, name="import_start"),
    path("import/<int:pk>/", views.import_detail_view, name="import_detail"),
    path("import/<int:pk>/progress/", views.import_progress_view, name="import_progress"),
    path("import/<int:pk>/run/", views.import_run_view, name="import_run"),
    path("import/<int:pk>/skipped/", views.import_skipped_view, name="import_skipped"),
    path("todos/", views.MyTodoListView.as_view(), name="todo_list"),
    path("todos/<int:pk>/edit/", views.TodoEditView.as_view(), name="todo_edit"),
    path("todos/<int:pk>/delete/", views.TodoDeleteView.as_view(), name="todo_delete"),
]
