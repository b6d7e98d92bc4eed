"""The dashboard's service-access figures (registered in ``AccessConfig.ready``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from access.models import ServiceAccess
from access.services import accesses_not_revoked
from core.dashboard import Figure

if TYPE_CHECKING:
    from core.actor import Actor


def held_access_figures(actor: Actor) -> list[Figure]:
    """One query: the service accesses the account holds, and how many of them can no longer be used."""
    held = (
        ServiceAccess.objects.restrict(actor).with_state().filter(revoked_at__isnull=True, via=ServiceAccess.Via.CODE)
    )
    gone = Q(sharer__is_active=False) | (
        Q(end_customer__isnull=True) & (Q(current_role__isnull=True) | Q(shared_account__is_active=False))
    )
    gone |= Q(end_customer__isnull=False) & ~Q(portal_customer_id=F("end_customer_id"))
    counts = held.aggregate(active=Count("pk"), gone=Count("pk", filter=gone))
    url = reverse("access:serviceaccess_list")
    figures = [Figure(_("active"), counts["active"], url)]
    if counts["gone"]:
        figures.append(Figure(_("no longer usable"), counts["gone"], url, "danger"))
    return figures


def granted_access_figures(actor: Actor) -> list[Figure]:
    """One query: how many providers hold a service access to the actor's account."""
    count = accesses_not_revoked(actor.account).count()
    return [Figure(_("providers with access"), count, reverse("access:code"))]
