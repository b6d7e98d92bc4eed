from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from hosting import services
from hosting.forms import HostingServerForm
from hosting.models import HostingServer, ProvisioningEvent, ResellerHosting


@admin.register(HostingServer)
class HostingServerAdmin(admin.ModelAdmin):
    form = HostingServerForm
    list_display = ["__str__", "host", "port", "use_tls", "login", "login_ok"]
    readonly_fields = ["credentials_refused_at"]
    actions = ["test_connection"]

    @admin.display(boolean=True, description=_("Login accepted"))
    def login_ok(self, server):
        return server.credentials_refused_at is None

    def save_model(self, request, obj, form, change):
        # New credentials get one more try; until then nothing used the refused ones again.
        if services.CONNECTION_FIELDS & set(form.changed_data):
            obj.credentials_refused_at = None
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Test connection"))
    def test_connection(self, request, queryset):
        for server in queryset:
            result = services.test_connection(server)
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{server}: {result.message}", level)


class ProvisioningEventInline(admin.TabularInline):
    model = ProvisioningEvent
    extra = 0
    can_delete = False
    fields = ["time", "kind", "message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ResellerHosting)
class ResellerHostingAdmin(admin.ModelAdmin):
    """Operator staff's read-only view of provisioning, with the timeline; changes go through the services."""

    list_display = ["pk", "__str__", "account", "end_customer", "contract", "status", "attempts", "created_at"]
    list_filter = ["status"]
    search_fields = ["domain", "subscription_name", "plesk_customer_login", "external_id"]
    list_select_related = ["account", "end_customer", "contract__shop_product"]
    inlines = [ProvisioningEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in ResellerHosting._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
