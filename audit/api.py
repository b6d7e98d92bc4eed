"""The activity list in the API: the same entries, filters and export as the Aktivität page."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from audit.filters import AuditEntryFilterSet
from audit.models import AuditEntry
from audit.tables import AuditEntryTable
from core.access import access_queryset
from core.api import ExportQuery, export_list, filtered

router = Router(tags=["Activity"])


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    user: str
    action: str
    action_label: str
    object_type: str | None
    object_id: str
    object: str
    changes: dict[str, Any]
    via_service_access: bool
    ip_address: str | None

    @staticmethod
    def resolve_user(obj):
        return obj.user_repr

    @staticmethod
    def resolve_action_label(obj):
        return obj.get_action_display()

    @staticmethod
    def resolve_object_type(obj):
        return obj.object_type.model if obj.object_type_id else None

    @staticmethod
    def resolve_object(obj):
        return obj.object_repr

    @staticmethod
    def resolve_via_service_access(obj):
        return obj.service_access_id is not None


class ActivityFilter(Schema):
    q: str | None = None
    action: str | None = None
    created_after: str | None = None
    created_before: str | None = None


def _entries(request) -> QuerySet[AuditEntry]:
    return filtered(request, AuditEntryFilterSet, access_queryset(request.actor, AuditEntry))


@router.get("/activity/", response=list[AuditEntryOut], summary="The account's activity list, newest first")
@paginate
def list_activity(request, filters: Query[ActivityFilter]):
    return _entries(request).select_related("object_type")


@router.get("/activity/export/", summary="Export the activity list (CSV or Excel), with the list's filters")
def export_activity(request, query: Query[ExportQuery]):
    entries = _entries(request).select_related("object_type")
    return export_list(request, query, name="activity", table_class=AuditEntryTable, queryset=entries)
