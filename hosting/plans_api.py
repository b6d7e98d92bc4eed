"""A reseller's own hosting plans over the API: list a hosting space's plans (read live from Plesk), create,
change, delete. The same services as the pages (``hosting.plans``): limits that do not fit into what is left
of the package, and Plesk's refusals, are a 422 naming the field; a server that cannot be asked is a 503."""

from typing import cast

from ninja import Router, Schema, Status
from pydantic import Field

from core.access import access_object, require_action
from core.api import BodySchema, ErrorOut, valid_form
from core.tenancy import ADD, CHANGE, DELETE
from hosting import plans
from hosting.models import HostingPlan
from hosting.plan_forms import HostingPlanForm

router = Router(tags=["Hosting plans"])

LIMIT_NOTE = "null: unlimited"


class LimitsOut(Schema):
    """The plan's limits in the units of the form (GB, GB per month, MB, counts); ``null`` is unlimited."""

    disk_space_gb: int | None
    traffic_gb: int | None
    domains: int | None
    subdomains: int | None
    domain_aliases: int | None
    mailboxes: int | None
    mailbox_size_mb: int | None
    databases: int | None
    ftp_users: int | None


class PlanOut(Schema):
    id: int = Field(description="The plan's id on the Plesk server")
    guid: str
    name: str
    contract: int
    created_in_portal: bool
    hostings: int = Field(description="How many of the account's hostings use the plan (through their products)")
    limits: LimitsOut

    @staticmethod
    def resolve_contract(obj):
        return obj.contract.pk

    @staticmethod
    def resolve_limits(obj):
        return obj.values


class PlanIn(BodySchema):
    """A new plan. A limit left out or ``null`` is unlimited."""

    name: str = Field(max_length=200)
    disk_space_gb: int | None = Field(None, description=f"GB; {LIMIT_NOTE}")
    traffic_gb: int | None = Field(None, description=f"GB per month; {LIMIT_NOTE}")
    domains: int | None = Field(None, description=LIMIT_NOTE)
    subdomains: int | None = Field(None, description=LIMIT_NOTE)
    domain_aliases: int | None = Field(None, description=LIMIT_NOTE)
    mailboxes: int | None = Field(None, description=LIMIT_NOTE)
    mailbox_size_mb: int | None = Field(None, description=f"MB per mailbox; {LIMIT_NOTE}")
    databases: int | None = Field(None, description=LIMIT_NOTE)
    ftp_users: int | None = Field(None, description=LIMIT_NOTE)


class PlanPatch(BodySchema):
    """A change: only the fields given change (``null`` makes a limit unlimited). Plesk applies the new limits
    to the subscriptions on the plan."""

    name: str | None = Field(None, max_length=200)
    disk_space_gb: int | None = None
    traffic_gb: int | None = None
    domains: int | None = None
    subdomains: int | None = None
    domain_aliases: int | None = None
    mailboxes: int | None = None
    mailbox_size_mb: int | None = None
    databases: int | None = None
    ftp_users: int | None = None


def _contract(request, contract_id: int):
    return access_object(request.actor, plans.plan_contracts(request.actor), contract_id)


def _form_data(values: dict) -> dict:
    return {key: "" if value is None else value for key, value in values.items()}


def _unavailable(error: plans.ServerUnavailable) -> Status:
    return Status(503, {"detail": str(error)})


def _row(request, contract, plan_id: int) -> plans.PlanRow:
    return plans.get_plan(request.actor, contract, plan_id)


@router.get(
    "/contracts/{contract_id}/plans/",
    response={200: list[PlanOut], 503: ErrorOut},
    summary="The reseller's own hosting plans on the contract's server, read live from Plesk",
)
def list_plans(request, contract_id: int):
    contract = _contract(request, contract_id)
    result = plans.list_plans(request.actor, [contract])[0]
    if result.error:
        return Status(503, {"detail": result.error})
    return result.plans


@router.post(
    "/contracts/{contract_id}/plans/",
    response={201: PlanOut, 503: ErrorOut},
    summary="Create a hosting plan (checked against what is left of the reseller's package first)",
)
def create_plan(request, contract_id: int, payload: PlanIn):
    contract = _contract(request, contract_id)
    require_action(request.actor, HostingPlan, ADD)
    data = {**_form_data(payload.model_dump()), "contract": contract.pk}
    form = valid_form(HostingPlanForm(data, actor=request.actor))
    try:
        made = plans.create_plan(request.actor, contract, name=form.cleaned_data["name"], values=form.limit_values)
        # A plan the service returns is one Plesk confirmed: it has its Plesk id.
        return Status(201, _row(request, contract, cast("int", made.plesk_id)))
    except plans.ServerUnavailable as error:
        return _unavailable(error)


@router.patch(
    "/contracts/{contract_id}/plans/{plan_id}/",
    response={200: PlanOut, 503: ErrorOut},
    summary="Change a hosting plan's name or limits (Plesk applies them to the subscriptions on it)",
)
def update_plan(request, contract_id: int, plan_id: int, payload: PlanPatch):
    contract = _contract(request, contract_id)
    require_action(request.actor, HostingPlan, CHANGE)
    try:
        current = _row(request, contract, plan_id)
        values = {"name": current.name, **current.values, **payload.model_dump(exclude_unset=True)}
        if values["name"] is None:
            values["name"] = current.name
        # The API states its change explicitly: the page's confirmation is the request itself.
        form = valid_form(
            HostingPlanForm({**_form_data(values), "confirm": True}, actor=request.actor, hostings=current.hostings)
        )
        plans.update_plan(request.actor, contract, plan_id, name=form.cleaned_data["name"], values=form.limit_values)
        return _row(request, contract, plan_id)
    except plans.ServerUnavailable as error:
        return _unavailable(error)


@router.delete(
    "/contracts/{contract_id}/plans/{plan_id}/",
    response={204: None, 503: ErrorOut},
    summary="Delete a hosting plan that no hosting uses",
)
def delete_plan(request, contract_id: int, plan_id: int):
    contract = _contract(request, contract_id)
    require_action(request.actor, HostingPlan, DELETE)
    try:
        plans.delete_plan(request.actor, contract, plan_id)
    except plans.ServerUnavailable as error:
        return _unavailable(error)
    return Status(204, None)
