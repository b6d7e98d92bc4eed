"""The partner's side of its managed customers: employees, e-mail copies, the link to its MKM end customer.

- The partner's owner assigns managed customers to employees (``ServiceAccess.assigned_members`` of the
  partnership's access): an employee sees those under *Meine Kunden* and opens exactly those, within the
  partnership's scope (``Partnership`` restricts employees to them; ``access.services.usable_by`` lets them
  switch in). Owners and administrators reach every managed customer.
- With Vollzugriff the partner's owners and administrators switch on *E-Mail-Kopie*: the partner's owners get a
  copy of the portal's mails to the customer's members whose templates may be copied (``core.mail``).
- A partnership can be linked to the partner's own MKM end customer for that customer: the end customer's page
  then opens the customer's account, ends the partnership and lists the shared products.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from access.services import scope_of
from accounts.models import Membership
from audit.models import AuditEntry
from audit.services import record
from core.access import access_object, access_queryset
from core.actor import Actor
from core.roles import Role
from core.tenancy import CHANGE, DELETE, VIEW
from customers.models import EndCustomer
from partners import services
from partners.models import ASSIGN, OPEN, Partnership
from users.models import User


def _active() -> QuerySet[Partnership]:
    # unrestricted: every caller hands it to the access helper
    return Partnership.objects.filter(ended_at__isnull=True).select_related("customer_account", "access")


def assignable_employees(actor: Actor) -> QuerySet[User]:
    """The members of the partner's account a managed customer can be assigned to: its employees (owners and
    administrators reach every managed customer anyway)."""
    # unrestricted: the actor's own account's members, asked for by a partnership action checked by the caller
    members = Membership.objects.filter(account=actor.account, role=Role.EMPLOYEE, user__is_active=True)
    return User.objects.filter(pk__in=members.values("user")).order_by("last_name", "first_name", "username")


def assigned_employees(partnership: Partnership) -> list[User]:
    """The employees a managed customer is assigned to, who are still employees of the partner."""
    # unrestricted: the partnership's own access, which the caller read through the restriction
    members = Membership.objects.filter(account=partnership.account_id, role=Role.EMPLOYEE)
    users = partnership.access.assigned_members.filter(pk__in=members.values("user"))
    return list(users.order_by("last_name", "first_name", "username"))


def _names(users: Iterable[User]) -> str:
    return ", ".join(sorted(user.username for user in users))


def assign_employees(actor: Actor, partnership: Partnership, users: Iterable[User]) -> Partnership:
    """The partner's owner decides which employees see and work in this managed customer (Meine Kunden)."""
    actor.forbid_switched()
    with transaction.atomic():
        partnership = access_object(actor, _active().select_for_update(of=("self",)), partnership.pk, ASSIGN)
        chosen = {user.pk for user in users}
        allowed = set(assignable_employees(actor).values_list("pk", flat=True))
        if not chosen <= allowed:
            raise ValidationError(_("Choose only employees of your own account."))
        before = assigned_employees(partnership)
        partnership.access.assigned_members.set(sorted(chosen))
        after = assigned_employees(partnership)
        if _names(before) != _names(after):
            record(
                actor,
                AuditEntry.Action.UPDATE,
                partnership,
                object_repr=str(partnership.customer_account),
                changes={"employees": [_names(before), _names(after)]},
            )
    return partnership


def set_email_copy(actor: Actor, partnership: Partnership, on: bool) -> Partnership:
    """E-Mail-Kopie on or off; on only with Vollzugriff. The customer's activity says so too: its mail is read."""
    actor.forbid_switched()
    with transaction.atomic():
        partnership = access_object(actor, _active().select_for_update(of=("self",)), partnership.pk, CHANGE)
        if on and partnership.access.partial:
            raise ValidationError(_("E-mail copies are only available with full access."))
        if partnership.email_copy == on:
            return partnership
        partnership.email_copy = on
        partnership.save(update_fields=["email_copy"])
        changes = {"email_copy": [str(not on), str(on)]}
        record(
            actor, AuditEntry.Action.UPDATE, partnership, object_repr=str(partnership.customer_account), changes=changes
        )
        record(
            actor,
            AuditEntry.Action.UPDATE,
            partnership,
            account=partnership.customer_account,
            object_repr=str(partnership.account),
            changes=changes,
        )
    return partnership


def link_end_customer(actor: Actor, partnership: Partnership, end_customer: EndCustomer | None) -> Partnership:
    """Link the managed customer to the partner's own MKM end customer for it (or clear the link)."""
    actor.forbid_switched()
    with transaction.atomic():
        partnership = access_object(actor, _active().select_for_update(of=("self",)), partnership.pk, CHANGE)
        if end_customer is not None:
            end_customer = access_object(actor, EndCustomer, end_customer.pk)
            others = Partnership.objects.restrict(actor).filter(ended_at__isnull=True, end_customer=end_customer)
            if others.exclude(pk=partnership.pk).exists():
                raise ValidationError(_("This customer is already linked to another managed customer."))
        before = str(partnership.end_customer or "")
        partnership.end_customer = end_customer
        partnership.save(update_fields=["end_customer"])
        after = str(end_customer or "")
        if before != after:
            record(
                actor,
                AuditEntry.Action.UPDATE,
                partnership,
                object_repr=str(partnership.customer_account),
                changes={"end_customer": [before, after]},
            )
    return partnership


def copy_recipients(account_id: int, template_prefix: str, to: list[str]) -> list[str]:
    """``core.mail``'s question: the owners of the partners that get copies of this customer account's mail."""
    # unrestricted: the mail helper asks across accounts, for the customer the mail is about
    partnerships = Partnership.objects.filter(
        customer_account_id=account_id,
        ended_at__isnull=True,
        email_copy=True,
        access__partial=False,
        account__is_active=True,
    )
    # unrestricted: the owners of those partners, who asked for the copies
    owners = Membership.objects.filter(
        account__in=partnerships.values("account"), role=Role.OWNER, user__is_active=True
    ).select_related("user")
    return sorted({membership.user.email for membership in owners if membership.user.email})


def linked_partnership(actor: Actor, end_customer: EndCustomer, action: str = VIEW) -> Partnership | None:
    """The managed customer linked to this end customer that the actor may ``action`` (none while switched)."""
    if actor.grant is not None or not actor.may(Partnership, action):
        return None
    queryset = Partnership.objects.restrict(actor, action)
    return queryset.filter(end_customer=end_customer, ended_at__isnull=True).select_related(*_RELATED).first()


_RELATED = ("customer_account", "access")


def linked_partnership_or_404(actor: Actor, end_customer_pk: Any, action: str) -> Partnership:
    end_customer = access_object(actor, EndCustomer, end_customer_pk)
    partnership = access_queryset(actor, Partnership, action).filter(end_customer=end_customer, ended_at__isnull=True)
    found = partnership.select_related(*_RELATED).first()
    if found is None:
        raise Http404
    return found


def open_linked(actor: Actor, end_customer_pk: Any, *, session: SessionBase) -> Partnership:
    """Auf das Konto des Kunden zugreifen, from the end customer's page."""
    partnership = linked_partnership_or_404(actor, end_customer_pk, OPEN)
    services.open_account(actor, partnership, session=session)
    return partnership


def end_linked(actor: Actor, end_customer_pk: Any) -> Partnership:
    """Verbindung trennen, from the end customer's page."""
    partnership = linked_partnership_or_404(actor, end_customer_pk, DELETE)
    services.end_partnership(actor, partnership)
    return partnership


def shared_products(actor: Actor, partnership: Partnership, categories: Iterable[str]) -> list[tuple[Any, list[Any]]]:
    """The customer's products the partnership lets the partner see, by category (read-only, for the end
    customer's tabs): read as the partner inside the customer's account would, with the partnership's scope."""
    access = partnership.access
    inside = Actor(
        user=actor.user,
        account=partnership.customer_account,
        role=Role.OWNER,
        ip=actor.ip,
        grant=access,
        home_account=actor.account,
        scope=scope_of(access),
    )
    shown = []
    for product, label, model in services.PRODUCT_MODELS:
        if product in categories:
            objects = list(model._default_manager.restrict(inside, VIEW).order_by("pk"))  # type: ignore[attr-defined]
            shown.append((label, objects))
    return shown
