"""Hosting servers for operator staff, as in the operator area: list, read, create, change, test, delete.

Passwords and secret keys are written, never read back. Everyone but operator staff who passed two-factor
login gets 404 (``core.access.require_operator``).
"""

from django.db.models import Count
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from core.access import require_operator
from core.api import BodySchema, valid_form
from hosting import services
from hosting.forms import HostingServerForm
from hosting.models import HostingServer

router = Router(tags=["Hosting servers (operator staff)"])


class ServerOut(Schema):
    id: int
    name: str
    host: str
    port: int
    use_tls: bool
    is_sandbox: bool
    login: str
    has_password: bool
    has_secret_key: bool
    login_accepted: bool
    contract_count: int

    @staticmethod
    def resolve_has_password(obj):
        return bool(obj.password)

    @staticmethod
    def resolve_has_secret_key(obj):
        return bool(obj.secret_key)

    @staticmethod
    def resolve_login_accepted(obj):
        return obj.credentials_refused_at is None


class ServerIn(BodySchema):
    name: str
    host: str
    port: int = 8443
    use_tls: bool = True
    ca_bundle: str = ""
    pinned_fingerprint: str = ""
    login: str = ""
    password: str = ""
    secret_key: str = ""


class ServerPatch(BodySchema):
    name: str | None = None
    host: str | None = None
    port: int | None = None
    use_tls: bool | None = None
    ca_bundle: str | None = None
    pinned_fingerprint: str | None = None
    login: str | None = None
    password: str | None = None
    secret_key: str | None = None


class ConnectionOut(Schema):
    ok: bool
    message: str


def _servers(request):
    require_operator(request.actor)
    # unrestricted: hosting servers belong to the operator, not to an account; require_operator guards them
    return HostingServer.objects.annotate(contract_count=Count("contracts")).order_by("name")


def _server(request, server_id: int) -> HostingServer:
    return get_object_or_404(_servers(request), pk=server_id)


def _form_data(values: dict) -> QueryDict:
    """Form data as a browser sends it: a checkbox that is off is absent."""
    data = QueryDict(mutable=True)
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return data


@router.get("/servers/", response=list[ServerOut], summary="The hosting servers")
@paginate
def list_servers(request):
    return _servers(request)


@router.post("/servers/", response={201: ServerOut}, summary="Add a hosting server")
def create_server(request, payload: ServerIn):
    require_operator(request.actor)
    form = valid_form(HostingServerForm(_form_data(payload.model_dump())))
    server = services.save_server(request.actor, form)
    return Status(201, _server(request, server.pk))


@router.get("/servers/{server_id}/", response=ServerOut, summary="One hosting server")
def get_server(request, server_id: int):
    return _server(request, server_id)


@router.patch(
    "/servers/{server_id}/",
    response=ServerOut,
    summary="Change a hosting server; a password or secret key left out keeps the stored one",
)
def update_server(request, server_id: int, payload: ServerPatch):
    server = _server(request, server_id)
    current = HostingServerForm(instance=server)
    values = {name: current[name].value() for name in current.fields if name not in ("password", "secret_key")}
    form = valid_form(HostingServerForm(_form_data(values | payload.model_dump(exclude_unset=True)), instance=server))
    services.save_server(request.actor, form)
    return _server(request, server_id)


@router.post("/servers/{server_id}/test/", response=ConnectionOut, summary="Test the connection and the login")
def test_server(request, server_id: int):
    result = services.test_connection(_server(request, server_id))
    return {"ok": result.ok, "message": result.message}


@router.delete("/servers/{server_id}/", response={204: None}, summary="Delete a server no contract is bound to")
def delete_server(request, server_id: int):
    services.delete_server(request.actor, _server(request, server_id))
    return Status(204, None)
