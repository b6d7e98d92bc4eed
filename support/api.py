"""Support requests in the API: the sender's own requests with their answers, and a new one (as "Kontakt")."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from core.access import access_object, access_queryset
from core.api import BodySchema, filtered, valid_form
from core.http import ActorRequest
from support import services
from support.filters import SupportRequestFilterSet
from support.forms import SupportRequestForm
from support.models import SupportRequest, own_requests

router = Router(tags=["Support"])


class SupportRequestIn(BodySchema):
    topic: str
    message: str
    object_label: str = ""
    object_url: str = ""
    page: str = ""


class SupportRequestOut(Schema):
    id: int
    created_at: datetime
    topic: str
    topic_label: str
    message: str
    object_label: str
    object_url: str
    page: str
    status: str
    reply: str
    replied_at: datetime | None

    @staticmethod
    def resolve_topic_label(obj: SupportRequest) -> str:
        return obj.get_topic_display()


class SupportRequestFilter(Schema):
    q: str | None = None
    topic: str | None = None
    status: str | None = None


def _requests(request: ActorRequest) -> QuerySet[SupportRequest]:
    return own_requests(access_queryset(request.actor, SupportRequest), request.actor.user)


@router.get("/support-requests/", response=list[SupportRequestOut], summary="My support requests, newest first")
@paginate
def list_support_requests(request: ActorRequest, filters: Query[SupportRequestFilter]) -> Any:
    return filtered(request, SupportRequestFilterSet, _requests(request))


@router.post(
    "/support-requests/",
    response={201: SupportRequestOut},
    summary="Send a request to the provider's support (at most 10 an hour per user)",
)
def create_support_request(request: ActorRequest, payload: SupportRequestIn) -> Any:
    form = valid_form(SupportRequestForm(payload.model_dump(), actor=request.actor))
    return Status(201, services.send_support_request(request.actor, form.instance))


@router.get("/support-requests/{request_id}/", response=SupportRequestOut, summary="One of my support requests")
def get_support_request(request: ActorRequest, request_id: int) -> Any:
    return access_object(request.actor, _requests(request), request_id)
