"""Account membership workflows: switching, inviting, roles, removal."""

from __future__ import annotations

from contextlib import suppress

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Invitation, Membership
from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from core.actor import Actor
from core.mail import send_templated_mail
from core.roles import Role

SESSION_ACCOUNT_KEY = "account_id"


# The header's account menu shows at most this many accounts.
MENU_SIZE = 50


def build_actor(user, session, ip: str | None) -> Actor:
    """The actor for a logged-in user: the session's account while the user is still an active member of it
    (or staff, who may work in any active account), else their first account by number.

    Read from the database on every call, so a removed member or a deactivated account loses access at once.
    """
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


def current_role(user, account: Account) -> Role | None:
    """The user's role in ``account`` right now, or None when they are no longer a member."""
    role = Membership.objects.filter(user=user, account=account).values_list("role", flat=True).first()
    return Role(role) if role else None


def switchable_accounts(user):
    """Accounts the user may switch to: their memberships, or every active account for staff."""
    if user.is_staff:
        return Account.objects.filter(is_active=True)
    return Account.objects.filter(is_active=True, memberships__user=user)


def switch_account(request, account: Account) -> None:
    """Make ``account`` the session's current account, rotating the session key."""
    request.actor.forbid_switched()
    if not switchable_accounts(request.user).filter(pk=account.pk).exists():
        raise Account.DoesNotExist
    request.session.cycle_key()
    request.session[SESSION_ACCOUNT_KEY] = account.pk
    actor = build_actor(request.user, request.session, request.actor.ip)
    record(actor, AuditEntry.Action.SWITCH_ACCOUNT, account, account=account)
    request.actor = actor


def _require_manager(actor: Actor) -> None:
    actor.forbid_switched()
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only owners and administrators manage members."))


def _check_role_change_allowed(actor: Actor, old: Role | None, new: Role) -> None:
    # Administrators manage everyone except owners: they neither touch an
    # owner nor make anybody one.
    if not actor.has_role(Role.OWNER) and Role.OWNER in (old, new):
        raise PermissionDenied(_("Only owners can manage owners."))


def _lock_owners(account: Account) -> list[Membership]:
    # Lock in primary-key order so concurrent role changes cannot deadlock.
    return list(Membership.objects.select_for_update().filter(account=account, role=Role.OWNER).order_by("pk"))


def invite_member(actor: Actor, *, email: str, role: Role) -> Invitation:
    _require_manager(actor)
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
            account=actor.account,
        )
    return invitation


def find_open_invitation(token: str) -> Invitation | None:
    invitation = Invitation.objects.filter(token_hash=Invitation.hash_token(token)).select_related("account").first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def accept_invitation(invitation: Invitation, user, *, ip: str | None = None) -> Membership:
    """Join the invited account; a member already gets no second membership."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_open:
            raise ValidationError(_("This invitation is no longer valid."))
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        membership, _created = Membership.objects.get_or_create(
            account=locked.account, user=user, defaults={"role": locked.role}
        )
        actor = Actor(user=user, account=locked.account, role=Role(membership.role), ip=ip)
        record(actor, AuditEntry.Action.JOIN, membership)
    return membership


def change_member_role(actor: Actor, membership: Membership, role: Role) -> Membership:
    _require_manager(actor)
    role = Role(role)
    with transaction.atomic():
        owners = _lock_owners(actor.account)
        membership = Membership.objects.restrict(actor, "change").select_for_update().get(pk=membership.pk)
        old = Role(membership.role)
        _check_role_change_allowed(actor, old, role)
        if old == Role.OWNER and role != Role.OWNER and len(owners) <= 1:
            raise ValidationError({"role": _("The last owner cannot be demoted.")})
        membership.role = role
        membership.save(update_fields=["role"])
        record(actor, AuditEntry.Action.UPDATE, membership, changes=diff({"role": old}, {"role": role}))
    return membership


def remove_member(actor: Actor, membership: Membership) -> None:
    _require_manager(actor)
    with transaction.atomic():
        owners = _lock_owners(actor.account)
        membership = Membership.objects.restrict(actor, "delete").select_for_update().get(pk=membership.pk)
        _check_role_change_allowed(actor, Role(membership.role), Role(membership.role))
        if membership.role == Role.OWNER and len(owners) <= 1:
            raise ValidationError(_("The last owner cannot be removed."))
        record(actor, AuditEntry.Action.DELETE, membership)
        membership.delete()


def update_account_settings(actor: Actor, form) -> Account:
    actor.forbid_switched()
    if not actor.has_role(Role.OWNER):
        raise PermissionDenied(_("Only owners change the account settings."))
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=actor.account.pk)
        before = snapshot(account, list(form.fields))
        account = form.save()
        record(actor, AuditEntry.Action.UPDATE, account, changes=diff(before, snapshot(account, list(form.fields))))
    return account
