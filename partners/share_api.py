"""Access shares in the API: the customer's side (find a partner, share, list, withdraw) under ``/me/``,
the partner's side (list, connect, decline) under ``/partner-shares/``. The same services as the pages."""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from core.access import access_object
from core.api import BodySchema
from customers.forms import EndCustomerForm
from customers.models import EndCustomer
from partners import services, shares
from partners.models import PartnerShare
from partners.services import Right
from partners.share_tables import PartnerShareFilterSet

router = Router(tags=["Access shares"])

Product = Literal["contracts.Contract", "contracts.Domain", "hosting.ResellerHosting"]


class RightIn(BodySchema):
    product: Product
    id: int
    technical: bool = False
    statistics: bool = False


class RightOut(Schema):
    product: str
    id: int
    technical: bool
    statistics: bool


class PartnerOut(Schema):
    id: int
    number: str
    name: str


class SentShareOut(Schema):
    id: int
    partner: PartnerOut
    full: bool
    rights: list[RightOut]
    message: str
    state: str
    created_at: str
    decline_message: str

    @staticmethod
    def resolve_partner(obj: PartnerShare) -> Any:
        return obj.account

    @staticmethod
    def resolve_created_at(obj: PartnerShare) -> str:
        return obj.created_at.isoformat()


class ReceivedShareOut(Schema):
    id: int
    customer: PartnerOut
    shared_by: str
    full: bool
    rights: list[RightOut]
    message: str
    state: str
    created_at: str
    partnership: int | None

    @staticmethod
    def resolve_customer(obj: PartnerShare) -> Any:
        return obj.customer_account

    @staticmethod
    def resolve_shared_by(obj: PartnerShare) -> str:
        return obj.granted_by.display_name if obj.granted_by is not None else ""

    @staticmethod
    def resolve_created_at(obj: PartnerShare) -> str:
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_partnership(obj: PartnerShare) -> int | None:
        return obj.partnership_id


class ShareIn(BodySchema):
    partner: int
    full: bool
    rights: list[RightIn] = []
    message: str = Field("", max_length=shares.MESSAGE_LIMIT)


class NewCustomerIn(BodySchema):
    """The MKM customer to create; left out, a field is taken from the customer's account and owner."""

    number: str | None = None
    company: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "DE"
    phone: str = ""
    mobile: str = ""
    email: str | None = None
    website: str = ""


class ConnectIn(BodySchema):
    """Exactly one of ``end_customer`` (an existing customer's id) and ``new_customer``."""

    end_customer: int | None = None
    new_customer: NewCustomerIn | None = None


class DeclineIn(BodySchema):
    message: str = Field("", max_length=shares.MESSAGE_LIMIT)


class ShareFilter(Schema):
    q: str | None = None
    state: str | None = None


@router.get("/me/partner-shares/partners/", response=list[PartnerOut], summary="Find a partner to share access with")
def find_partners(request: Any, q: str = "") -> Any:
    """By its exact name, customer number or its owner's exact e-mail address; partners only."""
    return shares.find_partners(request.actor, q)


@router.get("/me/partner-shares/", response=list[SentShareOut], summary="Access shares your account sent")
def list_sent_shares(request: Any) -> Any:
    return list(shares.customer_shares(request.actor))


@router.post("/me/partner-shares/", response={201: SentShareOut}, summary="Share access with a partner")
def create_share(request: Any, payload: ShareIn) -> Any:
    services.require_customer_owner(request.actor)
    partner = shares.findable_partners().filter(pk=payload.partner).first()
    if partner is None:
        raise ValidationError({"partner": _("This account cannot be your partner.")})
    rights: dict[tuple[str, int], Right] = {
        (item.product, item.id): Right(item.technical, item.statistics) for item in payload.rights
    }
    share = shares.share_access(request.actor, partner, full=payload.full, rights=rights, message=payload.message)
    return Status(201, share)


@router.post("/me/partner-shares/{share_id}/withdraw/", response=SentShareOut, summary="Withdraw an open share")
def withdraw_share(request: Any, share_id: int) -> Any:
    share = shares.customer_share(request.actor, share_id)
    return shares.withdraw_share(request.actor, share)


@router.get("/partner-shares/", response=list[ReceivedShareOut], summary="Access shares customers sent you")
@paginate
def list_received_shares(request: Any, filters: Query[ShareFilter]) -> Any:
    data = {key: value for key, value in filters.dict().items() if value is not None}
    return PartnerShareFilterSet(data, queryset=shares.received_shares(request.actor)).qs


def _received(request: Any, share_id: int) -> PartnerShare:
    return access_object(request.actor, shares.received_shares(request.actor), share_id, "change")


@router.post(
    "/partner-shares/{share_id}/connect/",
    response=ReceivedShareOut,
    summary="Connect a share: a new customer from its data, or an existing one",
)
def connect_share(request: Any, share_id: int, payload: ConnectIn) -> Any:
    actor = request.actor
    share = _received(request, share_id)
    if (payload.end_customer is None) == (payload.new_customer is None):
        raise ValidationError({"end_customer": _("Create a new customer or choose an existing one.")})
    if payload.new_customer is not None:
        defaults = shares.customer_data(share)
        given = payload.new_customer.model_dump()
        data = {name: given[name] if given[name] is not None else defaults.get(name, "") for name in given}
        form = EndCustomerForm(data, actor=actor)  # type: ignore[no-untyped-call]
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        shares.connect_share(actor, share, new_customer=form.instance)
    else:
        assert payload.end_customer is not None
        end_customer = EndCustomer.objects.restrict(actor).filter(pk=payload.end_customer).first()
        if end_customer is None:
            raise ValidationError(
                {"end_customer": _("Select a valid choice. That choice is not one of the available choices.")}
            )
        shares.connect_share(actor, share, end_customer=end_customer)
    return shares.received_shares(actor).get(pk=share.pk)


@router.post("/partner-shares/{share_id}/decline/", response=ReceivedShareOut, summary="Decline a share")
def decline_share(request: Any, share_id: int, payload: DeclineIn) -> Any:
    share = _received(request, share_id)
    return shares.decline_share(request.actor, share, message=payload.message)
