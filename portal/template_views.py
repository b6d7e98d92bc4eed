from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from core.images import CONTENT_TYPES, KINDS
from core.views import ObjectEditView, ObjectListView
from portal import template_services as services
from portal.filters import PortalTemplateFilterSet
from portal.mail import MailTestFailed
from portal.models import PortalTemplate
from portal.tables import PortalTemplateTable
from portal.template_forms import PortalTemplateForm

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import BaseModelForm

IMAGE_MAX_AGE = 24 * 60 * 60


class PortalTemplateListView(ObjectListView):
    model = PortalTemplate
    table_class = PortalTemplateTable
    filterset_class = PortalTemplateFilterSet
    template_name = "portal/portaltemplate_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Not "nothing matches the search": the account has no template at all, which only support can change.
        context["has_templates"] = self.get_queryset().exists()
        return context


@method_decorator(sensitive_post_parameters("mail_password"), name="dispatch")
class PortalTemplateEditView(ObjectEditView):
    """Template bearbeiten; "Verbindung testen" sends a test mail with the form's values, before they are saved."""

    model = PortalTemplate
    form_class = PortalTemplateForm
    template_name = "portal/portaltemplate_edit.html"
    object: PortalTemplate
    images: dict[str, str]

    def get_object(self, queryset: QuerySet[Any] | None = None) -> PortalTemplate:
        template = super().get_object(queryset)
        if not isinstance(template, PortalTemplate):
            raise Http404
        # The stored images, read before the form applies the upload to the object.
        self.images = {kind: template.image_url(kind) for kind in KINDS}
        return template

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "test_mail" not in request.POST:
            return super().post(request, *args, **kwargs)
        self.object = self.get_object()
        form = self.get_form()
        if not form.is_valid():
            return self.render_mail_test(form, ok=False, message=_("Please correct the marked fields first."))
        try:
            address = services.send_settings_test_mail(self.actor, form.instance)
        except MailTestFailed as error:
            return self.render_mail_test(form, ok=False, message=str(error))
        message = _("The test mail was sent to %(address)s. The settings are not saved yet.") % {"address": address}
        return self.render_mail_test(form, ok=True, message=message)

    def render_mail_test(self, form: BaseModelForm[Any], *, ok: bool, message: str) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form, mail_test={"ok": ok, "message": message}))

    def save_form(self, form: BaseModelForm[Any]) -> PortalTemplate:
        return services.update_portal_template(self.actor, form.instance)

    def get_success_url(self) -> str:
        return reverse("portal:template_edit", args=[self.object.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Edit template")
        context["images"] = self.images
        return context


@login_not_required
@require_safe
def template_image_view(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    """A template's logo, icon or favicon, for anyone: the end customers' login page shows them.

    Only what ``core.images`` wrote is stored, and it goes out as exactly that type, never sniffed,
    sandboxed should a browser open it as a page (SECURITY-TESTS IV-03).
    """
    if kind not in KINDS:
        raise Http404
    host_template = getattr(request, "portal_template", None)
    if host_template is not None and host_template.pk != pk:
        raise Http404
    # unrestricted: the images are public, like the portal's login page that shows them.
    template = PortalTemplate.objects.filter(pk=pk).only("pk", kind).first()
    stored = getattr(template, kind) if template is not None else None
    if not stored:
        raise Http404
    suffix = PurePosixPath(stored.name).suffix
    if suffix not in CONTENT_TYPES:
        raise Http404
    try:
        handle = stored.storage.open(stored.name, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[suffix], filename=f"{kind}{suffix}")
    response["X-Content-Type-Options"] = "nosniff"
    # Set here, the page policy of django-csp's middleware stays off: an image opened on its own runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, public=True, max_age=IMAGE_MAX_AGE)
    return response
