"""Partner profile and inquiries in the API: the own profile, the inquiries with "Kunde hinzufügen", and the
public directory (no login)."""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpResponseBase
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from core.access import access_object, access_queryset, require_action
from core.api import BodySchema, ExportQuery, export_list, filtered, valid_form
from core.http import ActorRequest
from core.tenancy import CHANGE, VIEW
from customers.forms import EndCustomerForm
from profiles import services
from profiles.filters import InquiryFilterSet, PartnerProfileFilterSet
from profiles.forms import InquiryAssignForm, PartnerProfileForm
from profiles.models import Inquiry, PartnerProfile, published_profiles
from profiles.tables import InquiryTable

router = Router(tags=["Partner profile and inquiries"])

ServiceCode = Literal["webdesign", "hosting", "email", "online_shop", "seo", "marketing", "domains", "support"]


class ProfileIn(BodySchema):
    """The profile's fields as on "Partnerprofil"; the logo is uploaded on the page."""

    is_public: bool = False
    display_name: str
    slug: str = ""
    description: str = ""
    services: list[ServiceCode] = []
    postal_code: str = ""
    city: str = ""
    website: str = ""
    contact_email: str = ""


class PublicProfileOut(Schema):
    """What the directory shows of a public profile (never the contact address: inquiries go by the form)."""

    display_name: str
    slug: str
    description: str
    services: list[str]
    postal_code: str
    city: str
    website: str
    logo_url: str
    public_url: str

    @staticmethod
    def resolve_services(obj: PartnerProfile) -> list[str]:
        return obj.service_list

    @staticmethod
    def resolve_public_url(obj: PartnerProfile) -> str:
        return obj.get_absolute_url()


class ProfileOut(PublicProfileOut):
    """The account's own profile: what the directory shows, and whether it is public and where inquiries go."""

    is_public: bool
    contact_email: str


class DirectoryFilter(Schema):
    q: str | None = None
    service: ServiceCode | None = None
    city: str | None = None


class InquiryOut(Schema):
    id: int
    created_at: datetime
    name: str
    company: str
    email: str
    phone: str
    message: str
    status: str
    end_customer: int | None

    @staticmethod
    def resolve_end_customer(obj: Inquiry) -> int | None:
        return obj.end_customer_id


class InquiryFilter(Schema):
    q: str | None = None
    status: Literal["open", "done"] | None = None
    linked: Literal["yes", "no"] | None = None


class InquiryAssignIn(BodySchema):
    end_customer: int


class InquiryStatusIn(BodySchema):
    status: Literal["open", "done"]


class InquiryCustomerIn(BodySchema):
    """The new customer's master data; what is left out is taken from the inquiry (names, company, e-mail,
    phone)."""

    number: str
    company: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    street: str
    postal_code: str
    city: str
    country: str = "DE"
    phone: str | None = None
    mobile: str
    email: str | None = None
    website: str = ""


class CreatedCustomerOut(Schema):
    inquiry: InquiryOut
    end_customer: int


@router.get("/partner-profile/", response=ProfileOut, summary="The account's partner profile (404 while it has none)")
def get_profile(request: ActorRequest) -> Any:
    profile = services.own_profile(request.actor)
    if profile is None:
        raise Http404
    return profile


@router.put(
    "/partner-profile/",
    response=ProfileOut,
    summary="Create or replace the account's partner profile (owners and administrators)",
)
def put_profile(request: ActorRequest, payload: ProfileIn) -> Any:
    actor = request.actor
    require_action(actor, PartnerProfile, CHANGE)
    current = services.own_profile(actor, CHANGE)
    instance = current or PartnerProfile(account=actor.account)
    data = payload.model_dump()
    data["service_choices"] = data.pop("services")
    if current is not None:
        # The logo stays: it is uploaded on the page.
        data["remove_logo"] = False
    form = valid_form(PartnerProfileForm(data, instance=instance, actor=actor))
    return services.save_partner_profile(actor, form.instance)


@router.get(
    "/partners/",
    response=list[PublicProfileOut],
    auth=None,
    summary="The public partner directory (no login): public profiles, by name, service and city",
)
@paginate
def list_partners(request: ActorRequest, filters: Query[DirectoryFilter]) -> Any:
    return filtered(request, PartnerProfileFilterSet, published_profiles().order_by("display_name", "pk"))


def _inquiries(request: ActorRequest) -> Any:
    return access_queryset(request.actor, Inquiry)


def _inquiry(request: ActorRequest, inquiry_id: int, action: str = VIEW) -> Inquiry:
    return access_object(request.actor, Inquiry, inquiry_id, action)


@router.get("/inquiries/", response=list[InquiryOut], summary="Inquiries, newest first, with the list's filters")
@paginate
def list_inquiries(request: ActorRequest, filters: Query[InquiryFilter]) -> Any:
    return filtered(request, InquiryFilterSet, _inquiries(request))


@router.get("/inquiries/export/", summary="Export the inquiries (CSV or Excel), with the list's filters")
def export_inquiries(request: ActorRequest, query: Query[ExportQuery]) -> HttpResponseBase:
    queryset = filtered(request, InquiryFilterSet, _inquiries(request).select_related("end_customer"))
    return export_list(request, query, name="inquiries", table_class=InquiryTable, queryset=queryset)


@router.get("/inquiries/{inquiry_id}/", response=InquiryOut, summary="One inquiry")
def get_inquiry(request: ActorRequest, inquiry_id: int) -> Any:
    return _inquiry(request, inquiry_id)


@router.post("/inquiries/{inquiry_id}/status/", response=InquiryOut, summary="Mark an inquiry done or open again")
def set_inquiry_status(request: ActorRequest, inquiry_id: int, payload: InquiryStatusIn) -> Any:
    return services.set_inquiry_status(request.actor, _inquiry(request, inquiry_id, CHANGE), payload.status)


@router.post(
    "/inquiries/{inquiry_id}/assign/",
    response=InquiryOut,
    summary="Assign the inquiry to an existing end customer, for good (Kunde hinzufügen)",
)
def assign_inquiry(request: ActorRequest, inquiry_id: int, payload: InquiryAssignIn) -> Any:
    inquiry = _inquiry(request, inquiry_id, CHANGE)
    form = valid_form(InquiryAssignForm({"end_customer": payload.end_customer}, actor=request.actor))
    return services.assign_inquiry(request.actor, inquiry, form.cleaned_data["end_customer"])


@router.post(
    "/inquiries/{inquiry_id}/create-customer/",
    response={201: CreatedCustomerOut},
    summary="Create an end customer from the inquiry and assign the inquiry to it, for good (Kunde hinzufügen)",
)
def create_customer_from_inquiry(request: ActorRequest, inquiry_id: int, payload: InquiryCustomerIn) -> Any:
    inquiry = _inquiry(request, inquiry_id, CHANGE)
    given = {key: value for key, value in payload.model_dump().items() if value is not None}
    data = {**inquiry.customer_prefill(), **given}
    form = valid_form(EndCustomerForm(data, actor=request.actor))  # type: ignore[no-untyped-call]
    customer = services.create_customer_from_inquiry(request.actor, inquiry, form.instance)
    return Status(201, {"inquiry": _inquiry(request, inquiry_id), "end_customer": customer.pk})
