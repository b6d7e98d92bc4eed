from django.contrib import admin

from accounts.models import Account, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "is_partner", "is_active", "created_at"]
    list_filter = ["is_partner", "is_active"]
    search_fields = ["number", "name"]
    inlines = [MembershipInline]
