from django.core.exceptions import ValidationError
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts import services
from accounts.filters import MembershipFilterSet
from accounts.forms import InvitationForm
from accounts.models import Membership
from accounts.tables import MembershipTable
from core.access import access_object, access_queryset
from core.api import BodySchema, ExportQuery, export_list, filtered
from core.roles import Role
from core.tenancy import VIEW

router = Router(tags=["Account"])


class AccountOut(Schema):
    id: int
    number: str
    name: str
    is_partner: bool


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    account: AccountOut | None
    role: str | None


class MemberOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    created_at: str

    @staticmethod
    def resolve_username(obj):
        return obj.user.username

    @staticmethod
    def resolve_first_name(obj):
        return obj.user.first_name

    @staticmethod
    def resolve_last_name(obj):
        return obj.user.last_name

    @staticmethod
    def resolve_email(obj):
        return obj.user.email

    @staticmethod
    def resolve_created_at(obj):
        return obj.created_at.isoformat()


class MemberRoleIn(BodySchema):
    role: Role = Field(strict=False)


class InvitationIn(BodySchema):
    email: str
    role: Role = Field(Role.EMPLOYEE, strict=False)


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: str

    @staticmethod
    def resolve_expires_at(obj):
        return obj.expires_at.isoformat()


class MemberFilter(FilterSchema):
    q: str | None = None
    role: str | None = None


@router.get("/me/", response=MeOut, summary="The authenticated user and the account it acts in")
def me(request):
    actor = request.actor
    user = actor.user
    return {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "account": actor.account,
        "role": actor.role,
    }


def _members(request, action=VIEW):
    return access_queryset(request.actor, Membership.objects.select_related("user"), action)


@router.get("/members/", response=list[MemberOut], summary="Members of the current account")
@paginate
def list_members(request, filters: Query[MemberFilter]):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    return MembershipFilterSet(data, queryset=_members(request)).qs


@router.get("/members/export/", summary="Export the member list (CSV or Excel), with the list's filters")
def export_members(request, query: Query[ExportQuery]):
    rows = filtered(request, MembershipFilterSet, _members(request))
    return export_list(request, query, name="members", table_class=MembershipTable, queryset=rows)


@router.get("/members/{member_id}/", response=MemberOut, summary="One member of the current account")
def get_member(request, member_id: int):
    return access_object(request.actor, Membership.objects.select_related("user"), member_id)


@router.patch("/members/{member_id}/", response=MemberOut, summary="Change a member's role (owners and administrators)")
def change_member_role(request, member_id: int, payload: MemberRoleIn):
    membership = access_object(request.actor, Membership.objects.select_related("user"), member_id)
    return services.change_member_role(request.actor, membership, payload.role)


@router.delete("/members/{member_id}/", response={204: None}, summary="Remove a member (owners and administrators)")
def remove_member(request, member_id: int):
    membership = access_object(request.actor, Membership.objects.select_related("user"), member_id)
    services.remove_member(request.actor, membership)
    return Status(204, None)


@router.post("/invitations/", response={201: InvitationOut}, summary="Invite a person by e-mail")
def invite_member(request, payload: InvitationIn):
    form = InvitationForm(payload.model_dump(), actor=request.actor)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    invitation = services.invite_member(request.actor, **form.cleaned_data)
    return Status(201, invitation)
