from django.http import Http404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from access import services
from access.filters import ServiceAccessFilterSet
from access.models import ServiceAccess
from access.tables import ServiceAccessTable
from core.access import access_queryset, require_account
from core.api import BodySchema, ExportQuery, export_list, filtered

router = Router(tags=["Service access"])


class ProviderAccessOut(Schema):
    id: int
    customer_number: str
    customer: str
    type: str
    username: str
    first_name: str
    last_name: str
    active: bool
    since: str

    @staticmethod
    def resolve_customer_number(obj):
        return obj.customer_number

    @staticmethod
    def resolve_customer(obj):
        return obj.customer_name

    @staticmethod
    def resolve_type(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_username(obj):
        return obj.sharer.username

    @staticmethod
    def resolve_first_name(obj):
        return obj.sharer.first_name

    @staticmethod
    def resolve_last_name(obj):
        return obj.sharer.last_name

    @staticmethod
    def resolve_active(obj):
        return obj.is_usable

    @staticmethod
    def resolve_since(obj):
        return obj.created_at.isoformat()


class ActivationIn(BodySchema):
    code: str


class GrantOut(Schema):
    id: int
    provider_number: str
    provider: str
    shared_by: str
    since: str

    @staticmethod
    def resolve_provider_number(obj):
        return obj.account.number

    @staticmethod
    def resolve_provider(obj):
        return obj.account.name

    @staticmethod
    def resolve_shared_by(obj):
        return obj.sharer.username

    @staticmethod
    def resolve_since(obj):
        return obj.created_at.isoformat()


class AccessFilter(Schema):
    q: str | None = None


def _held(request):
    return access_queryset(
        request.actor, ServiceAccess.objects.with_state().filter(revoked_at__isnull=True, via=ServiceAccess.Via.CODE)
    )


@router.get("/service-access/", response=list[ProviderAccessOut], summary="Service accesses this account holds")
@paginate
def list_service_accesses(request, filters: Query[AccessFilter]):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    return ServiceAccessFilterSet(data, queryset=_held(request)).qs


@router.get(
    "/service-access/export/", summary="Export the list of service accesses (CSV or Excel), with the list's filters"
)
def export_service_accesses(request, query: Query[ExportQuery]):
    rows = filtered(request, ServiceAccessFilterSet, _held(request))
    return export_list(request, query, name="service-accesses", table_class=ServiceAccessTable, queryset=rows)


@router.post(
    "/service-access/",
    response={201: ProviderAccessOut},
    summary="Activate a service access with a customer's activation code",
)
def activate_service_access(request, payload: ActivationIn):
    access = services.redeem(request.actor, payload.code)
    return Status(201, _held(request).get(pk=access.pk))


@router.get("/me/service-access/", response=list[GrantOut], summary="Active service accesses to your account")
def my_service_access(request):
    require_account(request.actor)
    return list(services.active_accesses(request.actor.account).select_related("account"))


@router.delete("/me/service-access/{access_id}/", response={204: None}, summary="End a service access to your account")
def revoke_my_service_access(request, access_id: int):
    require_account(request.actor)
    access = services.active_accesses(request.actor.account).filter(pk=access_id).first()
    if access is None:
        raise Http404
    try:
        services.revoke(request.actor, access)
    except ServiceAccess.DoesNotExist:
        raise Http404 from None
    return Status(204, None)
