"""Partnerships: granting, changing the scope, working in the customer's account, ending.

The customer's side is its owner's (the legal representative's): only the owner grants, changes or ends a
partnership; the other members see it. The partner's side is its administrators'; its owner invites.
Changes take effect at the partner's next request: the switched actor is built anew for every request from
the access and its scope items (``access.services.switched_actor``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import services as access_services
from access.models import AccessScopeItem, ServiceAccess
from accounts.models import Account, Membership
from audit.models import AuditEntry
from audit.services import record
from contracts.models import Contract, Domain
from core.access import ActionDenied, access_object, access_queryset, require_account
from core.actor import Actor
from core.mail import send_templated_mail
from core.roles import Role
from core.tenancy import CHANGE, DELETE, VIEW
from hosting.models import ResellerHosting
from partners.models import OPEN, Partnership

Product = AccessScopeItem.Product

ONLY_THE_OWNER = gettext_lazy("Only the owner of the account (its legal representative) can do this.")

# The products a Teilzugriff offers, by category, in the order the page shows them.
PRODUCT_MODELS: tuple[tuple[str, Any, type[models.Model]], ...] = (
    (Product.CONTRACT, gettext_lazy("Contracts"), Contract),
    (Product.DOMAIN, gettext_lazy("Domains"), Domain),
    (Product.HOSTING, gettext_lazy("Hostings"), ResellerHosting),
)


@dataclass(frozen=True)
class Right:
    technical: bool
    statistics: bool


# (product label, object id) → the rights on it.
Rights = Mapping[tuple[str, int], Right]


@dataclass(frozen=True)
class Category:
    product: str
    label: Any
    objects: list[models.Model]


def require_customer_owner(actor: Actor) -> Account:
    """The customer's side: its owner, in its own account (never a partner working in it)."""
    actor.forbid_switched()
    account = require_account(actor)
    if not actor.has_role(Role.OWNER):
        raise ActionDenied(actor, Partnership, CHANGE, str(ONLY_THE_OWNER))
    return account


def products_of(actor: Actor) -> list[Category]:
    """The customer's own products a Teilzugriff can share, by category (those it has none of left out)."""
    categories = []
    for product, label, model in PRODUCT_MODELS:
        objects = list(model._default_manager.restrict(actor, VIEW).order_by("pk"))  # type: ignore[attr-defined]
        if objects:
            categories.append(Category(product, label, objects))
    return categories


def _checked_rights(actor: Actor, full: bool, rights: Rights) -> dict[tuple[str, int], Right]:
    """The rights of a Teilzugriff, each on a product of the actor's account; none for a Vollzugriff."""
    if full:
        return {}
    chosen = {key: right for key, right in rights.items() if right.technical or right.statistics}
    if not chosen:
        raise ValidationError(_("Choose at least one product for a partial access, or give full access."))
    own = {(category.product, obj.pk) for category in products_of(actor) for obj in category.objects}
    if not set(chosen) <= own:
        raise ValidationError(_("Choose only products of your own account."))
    return chosen


def _write_scope(access: ServiceAccess, rights: Mapping[tuple[str, int], Right]) -> None:
    access.scope_items.all().delete()
    AccessScopeItem.objects.bulk_create(
        AccessScopeItem(
            access=access, product=product, object_id=pk, technical=right.technical, statistics=right.statistics
        )
        for (product, pk), right in sorted(rights.items())
    )


def describe_scope(access: ServiceAccess) -> dict[str, str]:
    """What the audit trail keeps of a scope: "full", or "partial" with the products and their rights."""
    if not access.partial:
        return {"scope": "full", "products": ""}
    items = [
        f"{item.get_product_display()} {item.object_id}: "
        + ", ".join(
            str(name) for name, on in ((_("technical"), item.technical), (_("statistics"), item.statistics)) if on
        )
        for item in access.scope_items.order_by("product", "object_id")
    ]
    return {"scope": "partial", "products": "; ".join(items)}


def _owners_emails(account: Account) -> list[str]:
    # unrestricted: the owners of either side are told, whoever acted
    owners = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user")
    return [m.user.email for m in owners if m.user.email]


def grant_partnership(
    actor: Actor, partner: Account, *, full: bool, rights: Rights | None = None, notify: bool = True
) -> Partnership:
    """The customer's owner lets ``partner`` work in its account, with all of the owner's rights or for the
    products in ``rights``. One partnership at a time per partner and customer. ``notify``: mail the partner's
    owners (not for the demo data, which nobody waits for)."""
    customer = require_customer_owner(actor)
    if not partner.is_partner or not partner.is_active or partner.pk == customer.pk:
        raise ValidationError(_("This account cannot be your partner."))
    chosen = _checked_rights(actor, full, rights or {})
    try:
        with transaction.atomic():
            access = ServiceAccess.objects.create(
                account=partner,
                shared_account=customer,
                sharer=actor.user,  # type: ignore[misc]  # an owner is a user
                activated_by=actor.user,
                via=ServiceAccess.Via.PARTNERSHIP,
                partial=not full,
            )
            _write_scope(access, chosen)
            partnership = Partnership.objects.create(account=partner, customer_account=customer, access=access)
            scope = describe_scope(access)
            record(actor, AuditEntry.Action.CREATE, partnership, object_repr=str(partner), changes=_as_changes(scope))
            record(
                actor,
                AuditEntry.Action.CREATE,
                partnership,
                account=partner,
                object_repr=str(customer),
                changes=_as_changes(scope),
            )
    except IntegrityError as error:
        raise ValidationError(_("This partner already has access to your account.")) from error
    if not notify:
        return partnership
    send_templated_mail(
        "partners/email/granted",
        {"partnership": partnership, "customer": customer, "full": full},
        to=_owners_emails(partner),
    )
    return partnership


def _as_changes(scope: Mapping[str, str], before: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """The audit entry's changes from ``before`` (nothing) to ``scope``: only what differs."""
    before = before or {}
    return {name: [before.get(name, ""), value] for name, value in scope.items() if value != before.get(name, "")}


def customer_partnerships(actor: Actor) -> QuerySet[Partnership]:
    """The partnerships of the actor's account as the customer (every member sees them; none while switched)."""
    actor.forbid_switched()
    require_account(actor)
    # unrestricted: the customer's side of partnerships that the partner owns
    partnerships = Partnership.objects.filter(customer_account=actor.account, ended_at__isnull=True)
    return partnerships.select_related("account", "access").order_by("-created_at")


def customer_partnership(actor: Actor, pk: Any) -> Partnership:
    found = customer_partnerships(actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def change_scope(actor: Actor, partnership: Partnership, *, full: bool, rights: Rights | None = None) -> Partnership:
    """The customer's owner changes what the partner may do; it holds from the partner's next request on."""
    require_customer_owner(actor)
    chosen = _checked_rights(actor, full, rights or {})
    with transaction.atomic():
        partnership = customer_partnerships(actor).select_for_update(of=("self",)).get(pk=partnership.pk)
        access = partnership.access
        before = describe_scope(access)
        access.partial = not full
        access.save(update_fields=["partial"])
        _write_scope(access, chosen)
        changes = _as_changes(describe_scope(access), before)
        if changes:
            # unrestricted: the row just read through the customer's side
            Partnership.objects.filter(pk=partnership.pk).update(rights_reviewed=False)
            record(actor, AuditEntry.Action.UPDATE, partnership, object_repr=str(partnership.account), changes=changes)
            record(
                actor,
                AuditEntry.Action.UPDATE,
                partnership,
                account=partnership.account,
                object_repr=str(actor.account),
                changes=changes,
            )
    return partnership


def held_partnerships(actor: Actor, action: str = VIEW) -> QuerySet[Partnership]:
    """The partner's Verwaltete Kunden: its partnerships that are on."""
    return (
        access_queryset(actor, Partnership, action)
        .filter(ended_at__isnull=True)
        .select_related("customer_account", "access", "end_customer")
    )


def end_partnership(actor: Actor, partnership: Partnership) -> None:
    """Either side ends it ("Partnerschaft aufkündigen" / "Verbindung trennen"): the partner's session in the
    customer's account ends at its next request; the other side gets a mail."""
    actor.forbid_switched()
    account = require_account(actor)
    as_customer = partnership.customer_account_id == account.pk
    if as_customer:
        require_customer_owner(actor)
    else:
        partnership = access_object(actor, Partnership.objects.filter(ended_at__isnull=True), partnership.pk, DELETE)
    now = timezone.now()
    with transaction.atomic():
        # unrestricted: the row was checked above, for whichever side the actor is on
        updated = Partnership.objects.filter(pk=partnership.pk, ended_at__isnull=True).update(
            ended_at=now, ended_by=actor.user
        )
        if not updated:
            raise ValidationError(_("This partnership has already ended."))
        # unrestricted: the partnership's own access, ended with it
        ServiceAccess.objects.filter(pk=partnership.access_id).update(revoked_at=now)
        other = partnership.account if as_customer else partnership.customer_account
        record(actor, AuditEntry.Action.REVOKE, partnership, object_repr=str(other))
        record(actor, AuditEntry.Action.REVOKE, partnership, account=other, object_repr=str(account))
    send_templated_mail(
        "partners/email/ended",
        {"partnership": partnership, "by": actor.account, "other": other},
        to=_owners_emails(other),
    )


def open_account(actor: Actor, partnership: Partnership, *, session: SessionBase) -> None:
    """Konto öffnen: the partner's session works in the customer's account (the switch of service access)."""
    partnership = access_object(actor, Partnership.objects.filter(ended_at__isnull=True), partnership.pk, OPEN)
    # unrestricted: the partnership's own access, which the partnership was checked for above
    access = ServiceAccess.objects.with_state().get(pk=partnership.access_id)
    access_services.switch_in(actor, access, session=session)


def scope_rights(access: ServiceAccess) -> dict[tuple[str, int], Right]:
    return {(item.product, item.object_id): Right(item.technical, item.statistics) for item in access.scope_items.all()}


def rights_from_form(categories: Iterable[Category], data: Mapping[str, Any]) -> dict[tuple[str, int], Right]:
    """The rights ticked in the scope form (``partners.forms.ScopeForm``)."""
    return {
        (category.product, obj.pk): Right(
            bool(data.get(f"technical-{category.product}-{obj.pk}")),
            bool(data.get(f"statistics-{category.product}-{obj.pk}")),
        )
        for category in categories
        for obj in category.objects
    }
