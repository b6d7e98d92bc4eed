"""The dashboard's hosting figures (registered in ``HostingConfig.ready``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Figure
from hosting.models import ResellerHosting

if TYPE_CHECKING:
    from core.actor import Actor

Status = ResellerHosting.Status


def hosting_figures(actor: Actor) -> list[Figure]:
    """One query: the hostings by status, each linked to the list filtered to it; failed ones always show."""
    rows = ResellerHosting.objects.restrict(actor).order_by().values_list("status").annotate(n=Count("pk"))
    counts = dict(rows)
    url = reverse("hosting:resellerhosting_list")
    figures = [Figure(_("in total"), sum(counts.values()), url)]
    for status in Status:
        count = counts.get(status.value, 0)
        if count or status == Status.FAILED:
            tone = "danger" if status == Status.FAILED and count else ""
            figures.append(Figure(status.label, count, f"{url}?status={status.value}", tone))
    return figures
