"""Account membership workflows: switching, inviting, roles, removal."""

from __future__ import annotations

from contextlib import suppress

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MANAGE_OWNERS, Account, Invitation, Membership
from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from core.access import ActionDenied, access_object, require_action
from core.actor import Actor
from core.mail import send_templated_mail
from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE
from users.models import User

SESSION_ACCOUNT_KEY = "account_id"


# The header's account menu shows at most this many accounts.
MENU_SIZE = 50


def build_actor(user, session, ip: str | None) -> Actor:
    """The actor for a logged-in user: the session's account while the user is still an active member of it
    (or staff, who may work in any active account), else their first account by number.

    Read from the database on every call, so a removed member or a deactivated account loses access at once.
    """
    # unrestricted: the user's own memberships, which the actor is built from
    memberships = Membership.objects.filter(user=user, account__is_active=True).select_related("account")
    account_id = session.get(SESSION_ACCOUNT_KEY)
    if isinstance(account_id, int):
        with suppress(Membership.DoesNotExist):
            membership = memberships.get(account_id=account_id)  # one per user and account (a constraint)
            return Actor(user=user, account=membership.account, role=Role(membership.role), ip=ip)
        if user.is_staff:
            account = Account.objects.filter(pk=account_id, is_active=True).first()
            if account is not None:
                return Actor(user=user, account=account, role=Role.ADMIN, ip=ip, staff_access=True)
    membership = memberships.order_by("account__number").first()
    if membership is None:
        session.pop(SESSION_ACCOUNT_KEY, None)
        return Actor(user=user, ip=ip)
    session[SESSION_ACCOUNT_KEY] = membership.account_id
    return Actor(user=user, account=membership.account, role=Role(membership.role), ip=ip)


def needs_two_factor(actor: Actor, user) -> bool:
    """Whether the account the actor works in requires two-factor login and this session has not passed it.

    One rule for pages and for the API with the browser's session. A provider working in a customer's
    account through service access is not asked: the customer's rule binds its own members.
    """
    if actor.account is None or actor.grant is not None or not actor.account.require_two_factor:
        return False
    return not user.is_verified()


def current_role(user, account: Account) -> Role | None:
    """The user's role in ``account`` right now, or None when they are no longer a member."""
    # unrestricted: the user's own membership, which the actor is built from
    role = Membership.objects.filter(user=user, account=account).values_list("role", flat=True).first()
    return Role(role) if role else None


def switchable_accounts(user):
    """Accounts the user may switch to: their memberships, or every active account for staff."""
    if user.is_staff:
        return Account.objects.filter(is_active=True)
    return Account.objects.filter(is_active=True, memberships__user=user)


def switch_account(actor: Actor, account_id: int, *, session: SessionBase) -> Actor:
    """Make the account ``account_id`` the session's current account, rotating the session key; returns the
    actor in it. An account the user may not switch to is a 404."""
    actor.forbid_switched()
    account = switchable_accounts(actor.user).filter(pk=account_id).first()
    if account is None:
        raise Http404
    session.cycle_key()
    session[SESSION_ACCOUNT_KEY] = account.pk
    switched = build_actor(actor.user, session, actor.ip)
    record(switched, AuditEntry.Action.SWITCH_ACCOUNT, account, account=account)
    return switched


def _check_role_change_allowed(actor: Actor, old: Role | None, new: Role) -> None:
    # Administrators manage everyone except owners: they neither touch an
    # owner nor make anybody one.
    if not actor.has_role(Role.OWNER) and Role.OWNER in (old, new):
        raise ActionDenied(actor, Membership, MANAGE_OWNERS, _("Only owners can manage owners."))


def _lock_owners(actor: Actor) -> list[Membership]:
    # Lock in primary-key order so concurrent role changes cannot deadlock.
    owners = Membership.objects.restrict(actor).select_for_update().filter(role=Role.OWNER)
    return list(owners.order_by("pk"))


def invite_member(actor: Actor, *, email: str, role: Role) -> Invitation:
    actor.forbid_switched()
    require_action(actor, Invitation, ADD)
    _check_role_change_allowed(actor, None, Role(role))
    with transaction.atomic():
        if Membership.objects.restrict(actor).filter(user__email=email).exists():
            raise ValidationError({"email": _("This person is already a member of the account.")})
        invitation = Invitation(account=actor.account, email=email, role=role, invited_by=actor.user)
        token = invitation.issue_token()
        invitation.save()
        record(actor, AuditEntry.Action.INVITE, invitation, changes={"role": [None, role]})
        send_templated_mail(
            "accounts/email/invitation",
            {"invitation": invitation, "token": token, "inviter": actor.user},
            to=[email],
        )
    return invitation


def find_open_invitation(token: str) -> Invitation | None:
    """The open invitation of ``token``: the token is the credential, so this reads past the restriction."""
    token_hash = Invitation.hash_token(token)
    # unrestricted: see the docstring
    invitation = Invitation.objects.filter(token_hash=token_hash).select_related("account").first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def accept_invitation(actor: Actor, invitation: Invitation) -> Membership:
    """The actor's user joins the invited account; a member already gets no second membership.

    The invitation (found by its token, ``find_open_invitation``) is what
    grants the access, so it is read by its key, not through the restriction.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)  # unrestricted: see above
        if not locked.is_open:
            raise ValidationError(_("This invitation is no longer valid."))
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        membership, _created = Membership.objects.get_or_create(  # unrestricted: joining is what makes it visible
            account=locked.account, user=actor.user, defaults={"role": locked.role}
        )
        member = Actor(user=actor.user, account=locked.account, role=Role(membership.role), ip=actor.ip)
        record(member, AuditEntry.Action.JOIN, membership)
    return membership


def sign_up_and_accept_invitation(
    actor: Actor, invitation: Invitation, *, username: str, first_name: str, last_name: str, password: str
) -> User:
    """A login for an invited person who has none yet (with the invited address), who then joins the account:
    both or neither."""
    with transaction.atomic():
        user = User(username=username, first_name=first_name, last_name=last_name, email=invitation.email)
        user.set_password(password)
        user.save()
        accept_invitation(Actor(user=user, ip=actor.ip), invitation)
    return user


def change_member_role(actor: Actor, membership: Membership, role: Role) -> Membership:
    actor.forbid_switched()
    require_action(actor, Membership, CHANGE)
    role = Role(role)
    with transaction.atomic():
        owners = _lock_owners(actor)
        membership = access_object(actor, Membership.objects.select_for_update(), membership.pk, CHANGE)
        old = Role(membership.role)
        _check_role_change_allowed(actor, old, role)
        if old == Role.OWNER and role != Role.OWNER and len(owners) <= 1:
            raise ValidationError({"role": _("The last owner cannot be demoted.")})
        membership.role = role
        membership.save(update_fields=["role"])
        record(actor, AuditEntry.Action.UPDATE, membership, changes=diff({"role": old}, {"role": role}))
    return membership


def remove_member(actor: Actor, membership: Membership) -> None:
    actor.forbid_switched()
    require_action(actor, Membership, DELETE)
    with transaction.atomic():
        owners = _lock_owners(actor)
        membership = access_object(actor, Membership.objects.select_for_update(), membership.pk, DELETE)
        _check_role_change_allowed(actor, Role(membership.role), Role(membership.role))
        if membership.role == Role.OWNER and len(owners) <= 1:
            raise ValidationError(_("The last owner cannot be removed."))
        record(actor, AuditEntry.Action.DELETE, membership)
        membership.delete()


SETTINGS_FIELDS = ["require_two_factor"]


def update_account_settings(actor: Actor, *, require_two_factor: bool) -> Account:
    """Change the settings of the actor's account (its owners only)."""
    actor.forbid_switched()
    require_action(actor, Account, CHANGE)
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=actor.account.pk)
        before = snapshot(account, SETTINGS_FIELDS)
        account.require_two_factor = require_two_factor
        account.save(update_fields=SETTINGS_FIELDS)
        record(actor, AuditEntry.Action.UPDATE, account, changes=diff(before, snapshot(account, SETTINGS_FIELDS)))
    return account


# Customer numbers the portal gives itself start here (the provider's own shop numbers are below it).
FIRST_OWN_NUMBER = 10001


def next_account_number() -> str:
    """The next free numeric customer number: one above the highest."""
    numeric = Account.objects.filter(number__regex=r"^[0-9]{1,18}$")
    highest = numeric.aggregate(highest=Max(Cast("number", BigIntegerField())))["highest"]
    return str(max(FIRST_OWN_NUMBER - 1, highest or 0) + 1)


def create_customer_account(actor: Actor, *, name: str) -> Account:
    """A new customer account, with its own Kundennummer, whose owner is the actor's user.

    Two sign-ups at once may pick the same number: the unique number refuses the second, which takes the next.
    """
    actor.forbid_switched()
    if actor.user is None:
        raise PermissionDenied
    for _attempt in range(5):
        try:
            with transaction.atomic():
                account = Account.objects.create(number=next_account_number(), name=name)
                membership = Membership.objects.create(account=account, user=actor.user, role=Role.OWNER)
                owner = Actor(user=actor.user, account=account, role=Role.OWNER, ip=actor.ip)
                record(owner, AuditEntry.Action.CREATE, account, account=account)
                record(owner, AuditEntry.Action.JOIN, membership)
            return account
        except IntegrityError:
            continue
    raise ValidationError(_("No customer number could be given to the account. Please try again."))
