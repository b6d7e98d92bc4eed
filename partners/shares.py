"""The customer shares (IONOS "Zugriffsfreigabe durch Kunde", Infomaniak "Partner hinzufügen").

A customer's owner finds a partner by its exact name, Kundennummer or its owner's e-mail address (or arrives
from the partner's public profile with it chosen) and sends "Zugriff freigeben" with Voll- or Teilzugriff.
That is an open share, counted next to "Kunden" in the partner's navigation. The partner's administrators
either connect it ("Kunde verbinden": a new MKM end customer from the customer's data, or an existing one),
which makes the partnership with exactly the rights the owner gave, or decline it ("Einladung ablehnen"),
which mails the customer. The customer can withdraw it while it is open.

Every change of state is one conditional UPDATE from ``open``: of two clicks at once exactly one wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account, Membership
from accounts.services import current_role
from audit.models import AuditEntry
from audit.services import record
from core.access import access_object, access_queryset, require_account
from core.actor import Actor
from core.mail import send_templated_mail
from core.roles import Role
from core.tenancy import CHANGE, VIEW
from core.text import validate_multiline_text
from customers import services as customer_services
from customers.models import EndCustomer
from partners import services
from partners.models import PartnerShare, Partnership
from partners.services import Right, Rights

State = PartnerShare.State
MESSAGE_LIMIT = 2000


def findable_partners() -> QuerySet[Account]:
    # unrestricted: only partner accounts are findable, as their public profiles are; nothing else of them is read
    return Account.objects.filter(is_partner=True, is_active=True)


def find_partners(actor: Actor, query: str) -> list[Account]:
    """Partners whose exact Kundennummer or name, or whose owner's exact e-mail address, is ``query``.

    Exact matches only (case aside), and only partner accounts: a search reveals no other account and cannot
    be used to list partners by a fragment of their name."""
    account = services.require_customer_owner(actor)
    query = (query or "").strip()
    # No name, number or address holds a NUL, and PostgreSQL refuses one in a query.
    if not query or len(query) > 200 or "\x00" in query:
        return []
    # unrestricted: the owners' addresses are matched, never shown
    owners = Membership.objects.filter(role=Role.OWNER, user__email__iexact=query).values("account_id")
    found = findable_partners().filter(Q(number=query) | Q(name__iexact=query) | Q(pk__in=owners))
    return list(found.exclude(pk=account.pk).order_by("name", "number")[:10])


def partner_for_share(actor: Actor, pk: Any) -> Account:
    """The partner chosen by its id (``?partner=`` from the public profile): 404 unless it is a partner."""
    account = services.require_customer_owner(actor)
    found = findable_partners().exclude(pk=account.pk).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def rights_as_json(rights: Mapping[tuple[str, int], Right]) -> list[dict[str, Any]]:
    return [
        {"product": product, "id": pk, "technical": right.technical, "statistics": right.statistics}
        for (product, pk), right in sorted(rights.items())
    ]


def rights_of(share: PartnerShare) -> dict[tuple[str, int], Right]:
    return {
        (item["product"], int(item["id"])): Right(bool(item["technical"]), bool(item["statistics"]))
        for item in share.rights
    }


def shared_products(share: PartnerShare) -> list[tuple[Any, str, Right]]:
    """A Teilzugriff's products as the partner reads them before connecting: category, name, rights."""
    rights = rights_of(share)
    rows = []
    for product, label, model in services.PRODUCT_MODELS:
        ids = [pk for (kind, pk) in rights if kind == product]
        if not ids:
            continue
        # unrestricted: the products the customer chose to share with this partner, named for it to decide
        path = model.tenant_path  # type: ignore[attr-defined]  # every product model is a tenant model
        found = model._default_manager.filter(**{path: share.customer_account}, pk__in=ids)
        for obj in found.order_by("pk"):
            rows.append((label, str(obj), rights[(product, obj.pk)]))
    return rows


def _granted(share: PartnerShare) -> dict[str, list[Any]]:
    """What the audit trail keeps of a share: full or partial, and a Teilzugriff's products with their rights."""
    changes: dict[str, list[Any]] = {"full": [None, share.full]}
    if not share.full:
        products = [
            f"{label}: {name} ("
            + ", ".join(
                str(kind) for kind, on in ((_("technical"), right.technical), (_("statistics"), right.statistics)) if on
            )
            + ")"
            for label, name, right in shared_products(share)
        ]
        changes["rights"] = ["", "; ".join(products)]
    return changes


def clean_message(message: str) -> str:
    """A personal message: plain text of several lines, at most ``MESSAGE_LIMIT`` characters (form and API)."""
    message = (message or "").strip()
    if len(message) > MESSAGE_LIMIT:
        raise ValidationError({"message": _("Enter at most %(limit)d characters.") % {"limit": MESSAGE_LIMIT}})
    try:
        validate_multiline_text(message)
    except ValidationError as error:
        raise ValidationError({"message": error.messages}) from error
    return message


def _both_sides(actor: Actor, action: str, share: PartnerShare, changes: dict[str, list[Any]]) -> None:
    """One audit entry in the customer's account and one in the partner's, in the actor's name."""
    record(actor, action, share, account=share.customer_account, object_repr=str(share.account), changes=changes)
    record(actor, action, share, account=share.account, object_repr=str(share.customer_account), changes=changes)


def _owners_emails(account: Account) -> list[str]:
    # unrestricted: the owners of the other side are told, whoever acted
    owners = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user")
    return [m.user.email for m in owners if m.user.email]


def share_access(
    actor: Actor, partner: Account, *, full: bool, rights: Rights | None = None, message: str = ""
) -> PartnerShare:
    """Zugriff freigeben: the customer's owner offers ``partner`` Voll- or Teilzugriff; it is open until the
    partner connects or declines it, or the customer withdraws it."""
    customer = services.require_customer_owner(actor)
    if not partner.is_partner or not partner.is_active or partner.pk == customer.pk:
        raise ValidationError({"partner": _("This account cannot be your partner.")})
    message = clean_message(message)
    # The same check as a grant's: the rights of a Teilzugriff, each on a product of the actor's own account.
    chosen = services._checked_rights(actor, full, rights or {})  # noqa: SLF001
    # unrestricted: whether this partner already works in the actor's own account
    if Partnership.objects.filter(account=partner, customer_account=customer, ended_at__isnull=True).exists():
        raise ValidationError(_("This partner already has access to your account."))
    try:
        with transaction.atomic():
            share = PartnerShare.objects.create(
                account=partner,
                customer_account=customer,
                granted_by=actor.user,
                full=full,
                rights=rights_as_json(chosen),
                message=message,
            )
            _both_sides(actor, AuditEntry.Action.CREATE, share, _granted(share))
    except IntegrityError as error:
        waiting = _("You have already shared access with this partner; it has not answered yet.")
        raise ValidationError(waiting) from error
    return share


def customer_shares(actor: Actor) -> QuerySet[PartnerShare]:
    """The shares the actor's account sent (every member sees them; none while a partner works in it)."""
    actor.forbid_switched()
    account = require_account(actor)
    # unrestricted: the customer's side of shares that the partner owns
    return PartnerShare.objects.filter(customer_account=account).select_related("account").order_by("-created_at")


def customer_share(actor: Actor, pk: Any) -> PartnerShare:
    found = customer_shares(actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def _close(actor: Actor, share: PartnerShare, state: str, **values: Any) -> None:
    """Move the share from open to ``state``: one conditional UPDATE, so of two at once exactly one wins."""
    # unrestricted: the row was checked by the caller, for whichever side the actor is on
    updated = PartnerShare.objects.filter(pk=share.pk, state=State.OPEN).update(
        state=state, decided_at=timezone.now(), decided_by=actor.user, **values
    )
    if not updated:
        raise ValidationError(_("This share is no longer open."))
    share.refresh_from_db()


def withdraw_share(actor: Actor, share: PartnerShare) -> PartnerShare:
    """The customer's owner takes back an open share."""
    services.require_customer_owner(actor)
    share = customer_share(actor, share.pk)
    with transaction.atomic():
        _close(actor, share, State.WITHDRAWN)
        _both_sides(actor, AuditEntry.Action.REVOKE, share, {"state": [State.OPEN.value, State.WITHDRAWN.value]})
    return share


def received_shares(actor: Actor, action: str = VIEW) -> QuerySet[PartnerShare]:
    """The partner's side: the shares sent to its account."""
    actor.forbid_switched()
    return access_queryset(actor, PartnerShare, action).select_related("customer_account", "granted_by")


def open_share_count(actor: Actor) -> int:
    """The number next to "Kunden": open shares, for those who may act on them; one query, 0 for the rest."""
    if actor.grant is not None or not actor.has_account:
        return 0
    if not actor.may(PartnerShare, VIEW):
        return 0
    return PartnerShare.objects.restrict(actor).filter(state=State.OPEN).count()


def customer_data(share: PartnerShare) -> dict[str, str]:
    """What "Kunde verbinden" takes over for a new customer: the account's number and name, its owner's name
    and address (the rest, street to mobile, the account does not hold)."""
    owner = share.granted_by
    return {
        "number": share.customer_account.number,
        "company": share.customer_account.name,
        "first_name": owner.first_name if owner else "",
        "last_name": owner.last_name if owner else "",
        "email": owner.email if owner else "",
    }


def _owner_actor(share: PartnerShare) -> Actor:
    """The customer's owner who shared, acting in the customer's account: the partnership is their grant.

    Their consent holds only while they are still the account's owner."""
    user = share.granted_by
    if user is None or not user.is_active or current_role(user, share.customer_account) != Role.OWNER:
        raise ValidationError(_("The person who shared this access is no longer the customer's owner."))
    return Actor(user=user, account=share.customer_account, role=Role.OWNER)


def connect_share(
    actor: Actor,
    share: PartnerShare,
    *,
    end_customer: EndCustomer | None = None,
    new_customer: EndCustomer | None = None,
) -> Partnership:
    """Kunde verbinden: the partnership the customer's owner offered, tied to the partner's MKM customer, a
    new one (``new_customer``, not yet saved) or an existing one (``end_customer``)."""
    actor.forbid_switched()
    share = access_object(actor, PartnerShare, share.pk, CHANGE)
    if (end_customer is None) == (new_customer is None):
        raise ValidationError(_("Create a new customer or choose an existing one."))
    owner = _owner_actor(share)
    with transaction.atomic():
        _close(actor, share, State.CONNECTED)
        if new_customer is not None:
            customer = customer_services.create_end_customer(actor, new_customer)
        else:
            assert end_customer is not None
            customer = customer_services.lock_end_customer(actor, end_customer.pk)
        partnership = services.grant_partnership(owner, share.account, full=share.full, rights=rights_of(share))
        # unrestricted: the partnership just made for this actor's account
        Partnership.objects.filter(pk=partnership.pk).update(end_customer=customer)
        # unrestricted: the share checked above, now connected
        PartnerShare.objects.filter(pk=share.pk).update(partnership=partnership)
        partnership.end_customer = customer
        _both_sides(
            actor,
            AuditEntry.Action.UPDATE,
            share,
            {"state": [State.OPEN.value, State.CONNECTED.value], "end_customer": ["", str(customer)]},
        )
    return partnership


def decline_share(actor: Actor, share: PartnerShare, *, message: str = "") -> PartnerShare:
    """Einladung ablehnen: the share is dropped and the customer told by mail, with the optional message."""
    actor.forbid_switched()
    share = access_object(actor, PartnerShare, share.pk, CHANGE)
    message = clean_message(message)
    with transaction.atomic():
        _close(actor, share, State.DECLINED, decline_message=message)
        _both_sides(actor, AuditEntry.Action.UPDATE, share, {"state": [State.OPEN.value, State.DECLINED.value]})
    sharer = share.granted_by.email if share.granted_by is not None else ""
    recipients = list(dict.fromkeys([sharer, *_owners_emails(share.customer_account)]))
    send_templated_mail(
        "partners/email/share_declined",
        {"share": share, "partner": share.account, "message": message},
        to=[address for address in recipients if address],
    )
    return share


def share_list_link(actor: Actor) -> tuple[str, Any, str, int] | None:
    """The customer list's button to the access shares, for those who may see them (the sidebar counts them)."""
    if actor.grant is not None or not actor.may(PartnerShare, VIEW):
        return None
    return (reverse("partners:share_list") + "?state=open", gettext_lazy("Access shares"), "share", 0)
