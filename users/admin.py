from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from users.models import APIToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "account", "created_at", "last_used_at"]
    readonly_fields = ["user", "account", "prefix", "created_at", "last_used_at"]
    fields = ["name", *readonly_fields]

    def has_add_permission(self, request):
        return False
