from django.contrib import admin

from customers.models import EndCustomer, PortalUser, Todo


@admin.register(EndCustomer)
class EndCustomerAdmin(admin.ModelAdmin):
    list_display = ["number", "last_name", "first_name", "company", "account"]
    list_filter = ["country"]
    search_fields = ["number", "last_name", "first_name", "company", "email", "city"]
    list_select_related = ["account"]
    raw_id_fields = ["account"]


@admin.register(PortalUser)
class PortalUserAdmin(admin.ModelAdmin):
    list_display = ["user", "end_customer", "created_at"]
    raw_id_fields = ["user", "end_customer"]


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ["title", "end_customer", "status", "due_date", "assignee"]
    raw_id_fields = ["end_customer", "assignee"]
