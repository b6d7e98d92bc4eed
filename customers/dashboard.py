"""The dashboard's customer and to-do figures (registered in ``CustomersConfig.ready``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dashboard import Figure
from customers.models import EndCustomer, Todo

if TYPE_CHECKING:
    from core.actor import Actor


def customer_figures(actor: Actor) -> list[Figure]:
    """One query: the number of customers."""
    count = EndCustomer.objects.restrict(actor).count()
    return [Figure(_("in total"), count, reverse("customers:endcustomer_list"))]


def todo_figures(actor: Actor) -> list[Figure]:
    """One query: the actor's open to-dos and how many of them are overdue, as "My to-dos" lists them."""
    mine = Todo.objects.restrict(actor).filter(assignee=actor.user, status=Todo.Status.OPEN)
    counts = mine.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=timezone.localdate())))
    url = f"{reverse('customers:todo_list')}?status={Todo.Status.OPEN}"
    return [
        Figure(_("open"), counts["open"], url),
        Figure(_("overdue"), counts["overdue"], url, "danger" if counts["overdue"] else ""),
    ]
