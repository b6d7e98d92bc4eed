"""The partner's invitations (way 1 of a partnership) in the API, and the customer's answer by the mail's token.

The same rules as the pages: only the partner's owner invites and withdraws (403 for its administrators and
employees), another account's invitation is a 404; the customer's owner accepts with the rights it chooses.
"""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from core.access import access_object
from core.api import BodySchema, valid_form
from core.http import ActorRequest
from core.tenancy import DELETE
from partners import invitations
from partners.invitation_forms import DeclineForm, PartnerInvitationForm
from partners.models import PartnerInvitation
from partners.services import require_customer_owner

router = Router(tags=["Partner invitations"])

ProductLabel = Literal["contracts.Contract", "contracts.Domain", "hosting.ResellerHosting"]


class InvitationOut(Schema):
    id: int
    email: str
    access: Literal["full", "partial"]
    message: str
    sender_email: str
    state: Literal["open", "expired", "accepted", "declined", "withdrawn"]
    created_at: str
    expires_at: str
    customer_number: str | None

    @staticmethod
    def resolve_access(obj: Any) -> Any:
        return "full" if obj.requested_full else "partial"

    @staticmethod
    def resolve_state(obj: Any) -> Any:
        return "expired" if obj.is_expired else obj.state

    @staticmethod
    def resolve_created_at(obj: Any) -> Any:
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_expires_at(obj: Any) -> Any:
        return obj.expires_at.isoformat()

    @staticmethod
    def resolve_customer_number(obj: Any) -> Any:
        return obj.partnership.customer_account.number if obj.partnership else None


class InvitationIn(BodySchema):
    email: str
    access: Literal["full", "partial"] = "full"
    message: str = ""
    sender_email: str = ""


class RightIn(BodySchema):
    product: ProductLabel
    id: int
    technical: bool = False
    statistics: bool = False


class AcceptIn(BodySchema):
    token: str = Field(max_length=invitations.MAX_TOKEN_LENGTH)
    access: Literal["full", "partial"]
    rights: list[RightIn] = []


class DeclineIn(BodySchema):
    token: str = Field(max_length=invitations.MAX_TOKEN_LENGTH)
    message: str = ""


class PartnershipOut(Schema):
    id: int
    partner_number: str
    partner: str
    access: Literal["full", "partial"]

    @staticmethod
    def resolve_partner_number(obj: Any) -> Any:
        return obj.account.number

    @staticmethod
    def resolve_partner(obj: Any) -> Any:
        return obj.account.name

    @staticmethod
    def resolve_access(obj: Any) -> Any:
        return "partial" if obj.access.partial else "full"


@router.get("/partner-invitations/", response=list[InvitationOut], summary="The partner's invitations to customers")
@paginate
def list_partner_invitations(request: ActorRequest) -> Any:
    return invitations.partner_invitations(request.actor).order_by("-created_at")


@router.post(
    "/partner-invitations/",
    response={201: InvitationOut},
    summary="Invite a customer by e-mail (the partner's owner only); the mail's link is valid for 14 days",
)
def create_partner_invitation(request: ActorRequest, payload: InvitationIn) -> Any:
    form = valid_form(
        PartnerInvitationForm(
            {
                "email": payload.email,
                "requested_full": "1" if payload.access == "full" else "0",
                "message": payload.message,
                "sender_email": payload.sender_email,
            }
        )
    )
    invitation = invitations.invite_customer(request.actor, **form.cleaned_data)
    return Status(201, invitations.partner_invitations(request.actor).get(pk=invitation.pk))


@router.post(
    "/partner-invitations/{invitation_id}/withdraw/",
    response=InvitationOut,
    summary="Withdraw an open invitation (the partner's owner only); its link then says so",
)
def withdraw_partner_invitation(request: ActorRequest, invitation_id: int) -> Any:
    invitation = access_object(request.actor, PartnerInvitation, invitation_id, DELETE)
    invitations.withdraw_invitation(request.actor, invitation)
    return invitations.partner_invitations(request.actor).get(pk=invitation.pk)


def _open_invitation(token: str) -> PartnerInvitation:
    invitation = invitations.find_invitation(token)
    if invitation is None:
        raise Http404
    if invitations.closed_reason(invitation) is not None:
        raise ValidationError({"token": invitations.closed_message(invitation)})
    return invitation


@router.post(
    "/me/partner-invitations/accept/",
    response={201: PartnershipOut},
    summary="Accept a partner's invitation for your account (its owner only), with the rights you choose",
)
def accept_partner_invitation(request: ActorRequest, payload: AcceptIn) -> Any:
    invitation = _open_invitation(payload.token)
    rights = invitations.rights_from_api(
        [(right.product, right.id, right.technical, right.statistics) for right in payload.rights]
    )
    partnership = invitations.accept_invitation(request.actor, invitation, full=payload.access == "full", rights=rights)
    return Status(201, partnership)


@router.post(
    "/me/partner-invitations/decline/",
    response={204: None},
    summary="Decline a partner's invitation (the owner of your account); the partner is told by e-mail",
)
def decline_partner_invitation(request: ActorRequest, payload: DeclineIn) -> Any:
    invitation = _open_invitation(payload.token)
    form = valid_form(DeclineForm({"decline_message": payload.message}))
    require_customer_owner(request.actor)
    invitations.decline_invitation(request.actor, invitation, message=form.cleaned_data["decline_message"])
    return Status(204, None)
