from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from hosting import services
from hosting.models import HostingServer


class HostingServerForm(forms.ModelForm):
    """Secrets are write-only: never shown again, and an empty field keeps the stored value."""

    password = forms.CharField(
        label=_("password"), required=False, widget=forms.PasswordInput(render_value=False), strip=False
    )
    secret_key = forms.CharField(
        label=_("secret key"), required=False, widget=forms.PasswordInput(render_value=False), strip=False
    )

    class Meta:
        model = HostingServer
        fields = [
            "name",
            "host",
            "port",
            "use_tls",
            "ca_bundle",
            "pinned_fingerprint",
            "login",
            "password",
            "secret_key",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("password", "secret_key"):
            if self.instance.pk and getattr(self.instance, name):
                self.fields[name].help_text = _("Stored. Leave empty to keep it.")

    def _post_clean(self):
        for name in ("password", "secret_key"):
            if not self.cleaned_data.get(name) and self.instance.pk:
                self.cleaned_data[name] = getattr(HostingServer.objects.get(pk=self.instance.pk), name)
        super()._post_clean()


@admin.register(HostingServer)
class HostingServerAdmin(admin.ModelAdmin):
    form = HostingServerForm
    list_display = ["__str__", "host", "port", "use_tls", "login"]
    actions = ["test_connection"]

    @admin.action(description=_("Test connection"))
    def test_connection(self, request, queryset):
        for server in queryset:
            result = services.test_connection(server)
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{server}: {result.message}", level)
