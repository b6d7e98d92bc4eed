"""Portal templates: read and change what the reseller edits on the page; never the portal URL, never a password."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from core.access import access_object, access_queryset
from core.api import BodySchema, ExportQuery, export_list, filtered, valid_form
from core.images import KINDS
from core.tenancy import CHANGE, VIEW
from portal import template_services as services
from portal.filters import PortalTemplateFilterSet
from portal.mail import MailTestFailed
from portal.models import PortalTemplate
from portal.tables import PortalTemplateTable
from portal.template_forms import PortalTemplateForm

if TYPE_CHECKING:
    from core.actor import Actor
    from core.http import ActorRequest

router = Router(tags=["Portal templates"])

# Set by operator staff alone; accepted in a body only to be refused by name.
IMMUTABLE_FIELDS = ("portal_url", "host")


class PortalTemplateOut(Schema):
    id: int
    portal_url: str
    host: str
    title: str
    portal_name: str
    portal_name_2: str
    home_url: str
    contact_url: str
    imprint_url: str
    privacy_url: str
    terms_url: str
    mail_host: str
    mail_port: int
    mail_security: str
    mail_username: str
    mail_password_set: bool
    mail_from: str
    mail_from_name: str
    mail_footer: str
    color_1: str
    color_2: str
    color_3: str
    color_4: str
    logo_url: str
    icon_url: str
    favicon_url: str
    updated_at: datetime

    @staticmethod
    def resolve_mail_password_set(obj: PortalTemplate) -> bool:
        return bool(obj.mail_password)

    @staticmethod
    def resolve_logo_url(obj: PortalTemplate) -> str:
        return obj.image_url("logo")

    @staticmethod
    def resolve_icon_url(obj: PortalTemplate) -> str:
        return obj.image_url("icon")

    @staticmethod
    def resolve_favicon_url(obj: PortalTemplate) -> str:
        return obj.image_url("favicon")


class PortalTemplatePatch(BodySchema):
    title: str | None = None
    portal_name: str | None = None
    portal_name_2: str | None = None
    home_url: str | None = None
    contact_url: str | None = None
    imprint_url: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None
    mail_host: str | None = None
    mail_port: int | None = None
    mail_security: Literal["starttls", "tls", "none"] | None = None
    mail_username: str | None = None
    # Write-only: never returned. Left out (or empty), the stored password stays.
    mail_password: str | None = None
    mail_password_clear: bool | None = None
    mail_from: str | None = None
    mail_from_name: str | None = None
    mail_footer: str | None = None
    color_1: str | None = None
    color_2: str | None = None
    color_3: str | None = None
    color_4: str | None = None
    portal_url: str | None = None
    host: str | None = None


class MailTestOut(Schema):
    sent_to: str


def _actor(request: HttpRequest) -> "Actor":
    # The API's authentication gives every request its actor.
    return cast("ActorRequest", request).actor


def _template(request: HttpRequest, template_id: int, action: str = VIEW) -> PortalTemplate:
    return access_object(_actor(request), PortalTemplate, template_id, action)


class PortalTemplateFilter(Schema):
    q: str | None = None


@router.get("/portal-templates/", response=list[PortalTemplateOut], summary="The account's portal templates")
@paginate
def list_portal_templates(request: HttpRequest, filters: Query[PortalTemplateFilter]) -> Any:
    data = {key: value for key, value in filters.dict().items() if value is not None}
    return PortalTemplateFilterSet(data, queryset=access_queryset(_actor(request), PortalTemplate)).qs


@router.get("/portal-templates/export/", summary="Export the template list (CSV or Excel), with the list's search")
def export_portal_templates(request: HttpRequest, query: Query[ExportQuery]) -> HttpResponseBase:
    rows = filtered(request, PortalTemplateFilterSet, access_queryset(_actor(request), PortalTemplate))
    return export_list(request, query, name="portal-templates", table_class=PortalTemplateTable, queryset=rows)


@router.get("/portal-templates/{template_id}/", response=PortalTemplateOut, summary="One portal template")
def get_portal_template(request: HttpRequest, template_id: int) -> PortalTemplate:
    return _template(request, template_id)


@router.patch(
    "/portal-templates/{template_id}/",
    response=PortalTemplateOut,
    summary="Change names, links, mail settings or colours (the portal URL is set by the provider's support)",
)
def update_portal_template(request: HttpRequest, template_id: int, payload: PortalTemplatePatch) -> PortalTemplate:
    actor = _actor(request)
    template = _template(request, template_id, CHANGE)
    changes = payload.model_dump(exclude_unset=True)
    refused = [name for name in IMMUTABLE_FIELDS if name in changes and changes[name] != getattr(template, name)]
    if refused:
        message = _("Only our support can change the portal URL. Please contact support through the Kontakt link.")
        raise ValidationError(dict.fromkeys(refused, message))
    for name in IMMUTABLE_FIELDS:
        changes.pop(name, None)
    form = PortalTemplateForm(instance=template, actor=actor)
    # The form's current values, but never the stored password: given back as if typed, it would pass for
    # a newly entered one and go to a changed host (SECURITY-TESTS SEC-05).
    current = {name: form[name].value() for name in form.fields if name not in (*KINDS, "mail_password")}
    data = current | {key: value for key, value in changes.items() if value is not None}
    form = valid_form(PortalTemplateForm(data, instance=template, actor=actor))
    services.update_portal_template(actor, form.instance)
    return _template(request, template_id)


@router.post(
    "/portal-templates/{template_id}/test-mail/",
    response=MailTestOut,
    summary="Verbindung testen: send a test mail through the saved mail settings to the token's user",
)
def send_portal_template_test_mail(request: HttpRequest, template_id: int) -> dict[str, str]:
    template = _template(request, template_id, CHANGE)
    try:
        address = services.send_settings_test_mail(_actor(request), template)
    except MailTestFailed as error:
        raise ValidationError(str(error)) from error
    return {"sent_to": address}
