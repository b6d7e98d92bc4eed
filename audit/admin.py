from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "account", "user_repr", "action", "object", "ip_address"]
    list_filter = ["action"]
    search_fields = ["user_repr", "object_repr", "account__number"]

    @admin.display(description=_("object"), ordering="object_repr")
    def object(self, entry):
        return entry.object_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
