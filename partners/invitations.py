"""Way 1 of a partnership: the partner invites ("Einen Kunden hinzufügen", as Infomaniak's partner programme).

Only the partner's owner (its legal representative) invites and withdraws. The mail carries a link valid for
14 days; the token in it is the credential, stored only as a hash. Whoever opens it answers for the account
they work in: only that account's owner accepts, and may grant other rights than the partner asked for
(``grant_partnership`` checks them: only the account's own products). When the rights granted are not the
Vollzugriff asked for, the partner is asked to review them ("Rechte prüfen") until it confirms.

Acceptance, declining and withdrawal each change the state with one conditional UPDATE (``state = open``), so
of two answers at once exactly one wins and the other is told what happened (INV-01, INV-08).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account, Membership
from accounts.services import create_customer_account
from audit.models import AuditEntry
from audit.services import record
from core.access import access_object, access_queryset, require_action
from core.actor import Actor
from core.mail import send_templated_mail
from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from partners.models import PartnerInvitation, Partnership
from partners.services import Right, Rights, describe_scope, grant_partnership, require_customer_owner
from users.models import User

State = PartnerInvitation.State

# What a dead link's page says, by why it is dead. Unknown and tampered tokens read like an expired one's
# sibling: "not valid", nothing more (INV-01).
CLOSED_MESSAGES = {
    "unknown": gettext_lazy("This invitation link is not valid. Please ask the partner for a new invitation."),
    "expired": gettext_lazy("This invitation has expired. Please ask the partner for a new invitation."),
    State.WITHDRAWN: gettext_lazy("The partner has withdrawn this invitation."),
    State.DECLINED: gettext_lazy("This invitation has been declined."),
    State.ACCEPTED: gettext_lazy("This invitation has already been accepted."),
}

# A token the mail could hold: what ``secrets.token_urlsafe(32)`` gives, with room to spare.
MAX_TOKEN_LENGTH = 100


# Where the partner keeps its contact e-mail, once that app is there (a name: it is not imported).
PROFILE_MODEL: str = "profiles.PartnerProfile"


def default_sender(actor: Actor) -> str:
    """The sender address the form offers: the contact e-mail of the partner's profile (the ``profiles`` app's
    ``PartnerProfile.contact_email``, where that app is installed and the profile has one), else the inviting
    owner's own address. Read through the app registry: ``profiles`` is developed alongside this app."""
    if apps.is_installed("profiles"):
        profile_model = apps.get_model(PROFILE_MODEL)
        profiles = profile_model._default_manager.restrict(actor, VIEW)
        contact = profiles.values_list("contact_email", flat=True).first()
        if contact:
            return str(contact)
    return actor.user.email if actor.user is not None else ""


def invite_customer(
    actor: Actor, *, email: str, requested_full: bool, message: str = "", sender_email: str = ""
) -> PartnerInvitation:
    """The partner's owner asks ``email`` for Voll- or Teilzugriff; the mail's link is valid for 14 days."""
    actor.forbid_switched()
    require_action(actor, PartnerInvitation, ADD)
    sender_email = sender_email or default_sender(actor)
    with transaction.atomic():
        invitation = PartnerInvitation(
            account=actor.account,
            email=email,
            requested_full=requested_full,
            message=message,
            sender_email=sender_email,
            created_by=actor.user,
        )
        token = invitation.issue_token()
        invitation.save()
        record(
            actor,
            AuditEntry.Action.INVITE,
            invitation,
            changes={"access": ["", "full" if requested_full else "partial"]},
        )
        send_templated_mail(
            "partners/email/invitation",
            {"invitation": invitation, "token": token, "partner": actor.account, "inviter": actor.user},
            to=[email],
            reply_to=sender_email,
        )
    return invitation


def partner_invitations(actor: Actor, action: str = VIEW) -> QuerySet[PartnerInvitation]:
    """The partner's invitations (its administrators see them; only its owner changes them)."""
    return access_queryset(actor, PartnerInvitation, action).select_related("partnership__customer_account")


def open_invitations(actor: Actor) -> QuerySet[PartnerInvitation]:
    """Those not answered nor withdrawn yet, expired ones included (they say so)."""
    return partner_invitations(actor).filter(state=State.OPEN).order_by("-created_at")


def withdraw_invitation(actor: Actor, invitation: PartnerInvitation) -> PartnerInvitation:
    """The partner's owner takes back an open invitation; its link then says so."""
    actor.forbid_switched()
    invitation = access_object(actor, PartnerInvitation, invitation.pk, DELETE)
    with transaction.atomic():
        _close(invitation, State.WITHDRAWN, actor, unexpired=False)
        record(actor, AuditEntry.Action.REVOKE, invitation)
    invitation.refresh_from_db()
    return invitation


def find_invitation(token: Any) -> PartnerInvitation | None:
    """The invitation of ``token`` in whatever state, or None. The token is the credential, so this reads past
    the restriction; a token that cannot be one (empty, too long, not text) finds nothing."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    token_hash = PartnerInvitation.hash_token(token)
    # unrestricted: see the docstring
    found = PartnerInvitation.objects.filter(token_hash=token_hash).select_related("account", "created_by")
    return found.first()


def closed_reason(invitation: PartnerInvitation | None) -> str | None:
    """Why the link no longer works (a key of ``CLOSED_MESSAGES``), or None while it is open."""
    if invitation is None:
        return "unknown"
    if invitation.state != State.OPEN:
        return str(invitation.state)
    if invitation.is_expired:
        return "expired"
    return None


def closed_message(invitation: PartnerInvitation | None) -> str:
    reason = closed_reason(invitation)
    return str(CLOSED_MESSAGES[reason]) if reason else ""


def _close(invitation: PartnerInvitation, state: str, actor: Actor, *, unexpired: bool = True, **fields: Any) -> None:
    """Move the open invitation to ``state``: one conditional UPDATE, so of two answers at once (or an answer
    and a withdrawal) one wins and the other is refused. Only a withdrawal may close an expired one."""
    now = timezone.now()
    # unrestricted: found by its token (the credential), or through the restriction for a withdrawal
    still_open = PartnerInvitation.objects.filter(pk=invitation.pk, state=State.OPEN)
    if unexpired:
        still_open = still_open.filter(expires_at__gt=now)
    updated = still_open.update(state=state, answered_at=now, answered_by=actor.user, **fields)
    if not updated:
        invitation.refresh_from_db()
        raise ValidationError(closed_message(invitation) or CLOSED_MESSAGES["unknown"])


def needs_review(invitation: PartnerInvitation, *, full: bool) -> bool:
    """Whether the partner should look at what it got: anything but the Vollzugriff it asked for. The products
    of a Teilzugriff are always the customer's choice (the partner cannot see them before), so it looks at
    those too."""
    return not (full and invitation.requested_full)


def accept_invitation(
    actor: Actor, invitation: PartnerInvitation, *, full: bool, rights: Rights | None = None
) -> Partnership:
    """The customer's owner accepts for the account it works in, with the rights it chooses; the partner then
    works in it (``grant_partnership``: checks the rights, audits both sides, mails the partner's owners)."""
    require_customer_owner(actor)
    with transaction.atomic():
        _close(invitation, State.ACCEPTED, actor)
        partnership = grant_partnership(actor, invitation.account, full=full, rights=rights)
        reviewed = not needs_review(invitation, full=full)
        # unrestricted: the partnership just made, and its invitation found by the token
        Partnership.objects.filter(pk=partnership.pk).update(rights_reviewed=reviewed)
        PartnerInvitation.objects.filter(pk=invitation.pk).update(partnership=partnership)  # unrestricted: as above
        partnership.rights_reviewed = reviewed
        record(
            actor,
            AuditEntry.Action.UPDATE,
            invitation,
            account=invitation.account,
            object_repr=str(invitation.email),
            changes={"state": [State.OPEN.label, State.ACCEPTED.label]},
        )
    return partnership


def decline_invitation(actor: Actor, invitation: PartnerInvitation, *, message: str = "") -> PartnerInvitation:
    """Whoever holds the link may say no (the mail went to them); the partner's owners are told by mail."""
    with transaction.atomic():
        _close(invitation, State.DECLINED, actor, decline_message=message)
        record(
            actor,
            AuditEntry.Action.UPDATE,
            invitation,
            account=invitation.account,
            object_repr=str(invitation.email),
            changes={"state": [State.OPEN.label, State.DECLINED.label]},
        )
        send_templated_mail(
            "partners/email/invitation_declined",
            {"invitation": invitation, "message": message},
            to=_owners_emails(invitation.account),
        )
    invitation.refresh_from_db()
    return invitation


def _owners_emails(account: Account) -> list[str]:
    # unrestricted: the partner's owners are told, whoever answered
    owners = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user")
    return [m.user.email for m in owners if m.user.email]


def sign_up_customer(
    actor: Actor,
    invitation: PartnerInvitation,
    *,
    account_name: str,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
) -> User:
    """A new user with the invited address and a new customer account (own Kundennummer) it owns: both or
    neither. The invitation stays open: the new owner answers it next."""
    if closed_reason(invitation) is not None:
        raise ValidationError(closed_message(invitation))
    try:
        with transaction.atomic():
            user = User(username=username, first_name=first_name, last_name=last_name, email=invitation.email)
            user.set_password(password)
            user.save()  # type: ignore[no-untyped-call]  # users.models is not typed yet
            create_customer_account(Actor(user=user, ip=actor.ip), name=account_name)
    except IntegrityError as error:
        # Someone took the name or the address since the form checked them.
        raise ValidationError(_("This username is already taken.")) from error
    return user


@dataclass(frozen=True)
class GrantedProduct:
    category: str
    name: str
    technical: bool
    statistics: bool


def granted_products(partnership: Partnership) -> list[GrantedProduct]:
    """The products of a Teilzugriff with their rights, named, for the partner's "Rechte prüfen"."""
    items = list(partnership.access.scope_items.order_by("product", "object_id"))
    names: dict[tuple[str, int], str] = {}
    for product in {item.product for item in items}:
        model = apps.get_model(product)
        ids = [item.object_id for item in items if item.product == product]
        # unrestricted: the customer's products shared with the partner, named for the partner to review
        for obj in model._default_manager.filter(pk__in=ids, account=partnership.customer_account_id):
            names[(product, obj.pk)] = str(obj)
    return [
        GrantedProduct(
            str(item.get_product_display()),
            names.get((item.product, item.object_id), str(item.object_id)),
            item.technical,
            item.statistics,
        )
        for item in items
    ]


def partnerships_to_review(actor: Actor) -> QuerySet[Partnership]:
    """The partner's partnerships whose rights it has not confirmed yet (administrators and the owner)."""
    if not actor.may(Partnership, CHANGE):
        return Partnership.objects.none()
    return (
        access_queryset(actor, Partnership, CHANGE)
        .filter(ended_at__isnull=True, rights_reviewed=False)
        .select_related("customer_account", "access")
    )


def confirm_rights(actor: Actor, partnership: Partnership) -> Partnership:
    """ "Rechte bestätigt": the partner has looked at the rights the customer granted."""
    actor.forbid_switched()
    partnership = access_object(actor, Partnership.objects.filter(ended_at__isnull=True), partnership.pk, CHANGE)
    with transaction.atomic():
        # unrestricted: the row was found through the restriction just above
        Partnership.objects.filter(pk=partnership.pk).update(rights_reviewed=True)
        record(
            actor,
            AuditEntry.Action.UPDATE,
            partnership,
            object_repr=str(partnership.customer_account),
            changes={"rights_reviewed": [False, True], **_scope_changes(describe_scope(partnership.access))},
        )
    partnership.rights_reviewed = True
    return partnership


def _scope_changes(scope: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: ["", value if isinstance(value, str) else "; ".join(value)] for name, value in scope.items()}


def rights_from_api(items: list[tuple[str, int, bool, bool]]) -> dict[tuple[str, int], Right]:
    """The rights of an API body: (product label, id, technical, statistics) each."""
    return {(product, pk): Right(technical, statistics) for product, pk, technical, statistics in items}
