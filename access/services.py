"""Service access by activation code: show a code, redeem it, switch in and out, revoke."""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import codes
from access.models import CODE_LIFETIME, REDEEM_USED, REVOKE, ActivationCode, ServiceAccess
from accounts.models import Membership
from audit.models import AuditEntry
from audit.services import entry, record, record_all, record_refusal
from core import throttle
from core.access import ActionDenied, require_account, require_action
from core.actor import Actor
from core.mail import send_templated_mail
from core.roles import Role
from core.scope import Scope
from core.tenancy import ADD
from customers.models import PortalUser

SESSION_ACCESS_KEY = "service_access_id"

EMPTY = gettext_lazy("Please enter an activation code.")
NOT_FOUND = gettext_lazy("The activation code you entered was not found.")
USED = gettext_lazy("This activation code has already been used.")
THROTTLED = gettext_lazy("Too many attempts. Please wait a few minutes and try again.")

# Guessing a 65-bit code is hopeless anyway; the limits keep it that way and keep logs quiet.
ATTEMPTS_PER_ACCOUNT = 10
ATTEMPTS_PER_IP = 30
ATTEMPT_WINDOW_SECONDS = 15 * 60


def accesses_not_revoked(account):
    """The service accesses to ``account`` (or an ``OuterRef``) that are not revoked: the header's badge.

    End-customer accesses never match: they share no account.
    """
    # unrestricted: accesses *to* the account; the restriction covers those the account holds
    return ServiceAccess.objects.filter(shared_account=account, revoked_at__isnull=True, via=ServiceAccess.Via.CODE)


def active_accesses(account):
    """The code accesses to ``account`` that are on; partnerships have their own page (``partners``)."""
    # unrestricted: accesses *to* the account; the restriction covers those the account holds
    return ServiceAccess.objects.with_state().filter(
        shared_account=account, revoked_at__isnull=True, via=ServiceAccess.Via.CODE
    )


def scope_of(access: ServiceAccess) -> Scope | None:
    """What a partial access (Teilzugriff) lets the holder see and manage; ``None`` for a full one."""
    if not access.partial:
        return None
    viewable: dict[str, set[int]] = {}
    manageable: dict[str, set[int]] = {}
    for item in access.scope_items.all():
        viewable.setdefault(item.product, set()).add(item.object_id)
        if item.technical:
            manageable.setdefault(item.product, set()).add(item.object_id)
    return Scope(
        viewable={label: frozenset(ids) for label, ids in viewable.items()},
        manageable={label: frozenset(ids) for label, ids in manageable.items()},
    )


def own_active_access(actor: Actor) -> ServiceAccess | None:
    """The access this user shared in their current account, if it is still on."""
    return active_accesses(actor.account).filter(sharer=actor.user).select_related("account").first()


def issue_code(actor: Actor) -> str:
    """A fresh code for the actor in their account; the previous unused one stops working."""
    actor.forbid_switched()
    require_account(actor)
    code = codes.generate()
    with transaction.atomic():
        ActivationCode.objects.filter(user=actor.user, account=actor.account, used_at__isnull=True).delete()
        ActivationCode.objects.create(
            user=actor.user,
            account=actor.account,
            code_hash=codes.digest(codes.normalize(code)),
            expires_at=timezone.now() + CODE_LIFETIME,
        )
    return code


def issue_end_customer_code(portal_user: PortalUser) -> str:
    """A fresh code for an end customer's portal user, redeemable by the customer's own reseller only."""
    customer = portal_user.end_customer
    code = codes.generate()
    with transaction.atomic():
        ActivationCode.objects.filter(user=portal_user.user, end_customer=customer, used_at__isnull=True).delete()
        ActivationCode.objects.create(
            user=portal_user.user,
            account_id=customer.account_id,
            end_customer=customer,
            code_hash=codes.digest(codes.normalize(code)),
            expires_at=timezone.now() + CODE_LIFETIME,
        )
    return code


def end_customer_accesses(portal_user: PortalUser):
    """The not revoked accesses the portal user gave their reseller."""
    # unrestricted: the portal user's own grants; a portal user has no account for the restriction
    return ServiceAccess.objects.with_state().filter(
        end_customer=portal_user.end_customer, sharer=portal_user.user, revoked_at__isnull=True
    )


def revoke_end_customer_access(actor: Actor, portal_user: PortalUser, pk: int) -> ServiceAccess:
    """The end customer ends their reseller's view at once: the viewing session ends at its next request."""
    with transaction.atomic():
        access = end_customer_accesses(portal_user).select_for_update(of=("self",)).filter(pk=pk).first()
        if access is None:
            raise ServiceAccess.DoesNotExist
        access.revoked_at = timezone.now()
        access.handoff_hash = ""
        access.save(update_fields=["revoked_at", "handoff_hash"])
        record(
            actor,
            AuditEntry.Action.REVOKE,
            access,
            account=access.account,
            parent=access.end_customer,
            object_repr=str(access.end_customer),
        )
    return access


def redeem(actor: Actor, raw_code: str) -> ServiceAccess:
    """Activate a code for the actor's account: exactly one redemption wins, errors say only what the design says."""
    actor.forbid_switched()
    require_action(actor, ServiceAccess, ADD)
    if not (raw_code or "").strip():
        raise ValidationError({"code": EMPTY})
    allowed = throttle.allow(f"sa:account:{actor.account.pk}", ATTEMPTS_PER_ACCOUNT, ATTEMPT_WINDOW_SECONDS)
    allowed &= throttle.allow(f"sa:ip:{actor.ip}", ATTEMPTS_PER_IP, ATTEMPT_WINDOW_SECONDS)
    if not allowed:
        raise throttle.TooManyAttempts(THROTTLED, retry_after=ATTEMPT_WINDOW_SECONDS, field="code")
    normalized = codes.normalize(raw_code)
    if normalized is None:
        raise ValidationError({"code": NOT_FOUND})
    with transaction.atomic():
        code = (
            # Only the code's row: PostgreSQL locks no row on the nullable side of an outer join.
            ActivationCode.objects.select_for_update(of=("self",))
            .select_related("user", "account", "end_customer")
            .filter(code_hash=codes.digest(normalized))
            .first()
        )
        problem = _problem(actor, code)
        if problem is None:
            return _grant(actor, code)
    # Nothing was written above; a replayed code is worth telling its owners about.
    if problem is USED:
        _note_replay(actor, code)
    raise ValidationError({"code": problem})


def _problem(actor: Actor, code: ActivationCode | None):
    if code is None:
        return NOT_FOUND
    # An account's code is for other providers; an end customer's only for the reseller that owns them.
    if (code.end_customer_id is None) == (code.account_id == actor.account.pk):
        return NOT_FOUND
    if code.used_at is not None:
        return USED
    if code.is_expired or not _sharer_still_there(code):
        return NOT_FOUND
    return None


def _grant(actor: Actor, code: ActivationCode) -> ServiceAccess:
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    if code.end_customer_id is not None:
        access = ServiceAccess.objects.create(
            account=actor.account, end_customer=code.end_customer, sharer=code.user, code=code, activated_by=actor.user
        )
        record(
            actor,
            AuditEntry.Action.ACTIVATE,
            access,
            parent=code.end_customer,
            object_repr=str(code.end_customer),
        )
        return access
    access = ServiceAccess.objects.create(
        account=actor.account, shared_account=code.account, sharer=code.user, code=code, activated_by=actor.user
    )
    record(actor, AuditEntry.Action.ACTIVATE, access, object_repr=str(code.account))
    record(actor, AuditEntry.Action.ACTIVATE, access, account=code.account, object_repr=str(actor.account))
    _mail_owners(code.account, "access/email/redeemed", {"access": access, "provider": actor.account})
    return access


def _note_replay(actor: Actor, code: ActivationCode) -> None:
    """A used code entered again by another provider may have leaked: tell the customer's owners."""
    if ServiceAccess.objects.restrict(actor).filter(code=code).exists():
        return
    with transaction.atomic():
        record_refusal(actor, ServiceAccess, REDEEM_USED, account=code.account)
        _mail_owners(code.account, "access/email/replayed", {"provider": actor.account})


def _sharer_still_there(code: ActivationCode) -> bool:
    if not (code.user.is_active and code.account.is_active):
        return False
    if code.end_customer_id is not None:
        # unrestricted: the code's own portal user, checked against the customer it was shown for
        return PortalUser.objects.filter(user=code.user, end_customer=code.end_customer).exists()
    # unrestricted: the sharer's membership in the customer's account, which the provider is not a member of
    return Membership.objects.filter(account=code.account, user=code.user).exists()


def _mail_owners(account, template: str, context: dict) -> None:
    # unrestricted: the owners of the customer's account are told, whoever acted
    owners = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user")
    emails = [m.user.email for m in owners if m.user.email]
    send_templated_mail(template, {"account": account, **context}, to=emails, about=account)


def usable_by(home: Actor):
    """The accesses to an account that ``home`` (a member in its own account) may switch into: for its owners
    and administrators every one the account holds; for an employee those it was assigned to
    (``ServiceAccess.assigned_members``: a partner's owner assigns managed customers to its employees)."""
    if home.grant is not None or not home.has_account:
        return ServiceAccess.objects.none()
    if home.has_role(Role.ADMIN):
        return ServiceAccess.objects.with_state().restrict(home).filter(shared_account__isnull=False)
    if not home.account.is_partner:
        return ServiceAccess.objects.none()
    return ServiceAccess.objects.with_state().filter(  # unrestricted: an employee's own assignments in its account
        account=home.account, assigned_members=home.user, shared_account__isnull=False
    )


def switched_actor(home: Actor, session) -> Actor | None:
    """The actor inside the shared account, or None when the switch is no longer allowed.

    Checked on every request: revocation, a deactivated or removed sharer, a
    deactivated account, or the provider user losing their own admin role (or,
    as an employee, the assignment) end the switch at the next request.
    """
    access_id = session.get(SESSION_ACCESS_KEY)
    if not isinstance(access_id, int):
        return None
    access = usable_by(home).filter(pk=access_id).first()
    if access is None or not access.is_usable:
        return None
    return Actor(
        user=home.user,
        account=access.shared_account,
        role=access.role_inside,
        ip=home.ip,
        grant=access,
        home_account=home.account,
        scope=scope_of(access),
    )


def _rotate_session(session: SessionBase, access_pk: int | None) -> None:
    """Point the session at ``access_pk`` (or at no access) under a new key, without giving it a longer life.

    The new row is written here, inside the caller's transaction, so the switch
    and its audit entries commit together or not at all.
    """
    expires = session.get_expiry_date()
    if access_pk is None:
        session.pop(SESSION_ACCESS_KEY, None)
    else:
        session[SESSION_ACCESS_KEY] = access_pk
    session.set_expiry(expires)
    session.cycle_key()


def switch_in(actor: Actor, access: ServiceAccess, *, session: SessionBase) -> None:
    """Switch the session into the shared account; ``access`` comes from
    ``access_object(actor, ServiceAccess.objects.with_state(), pk, CHANGE)``, read in this request."""
    actor.forbid_switched()
    # An end customer's view opens on the portal's host instead (``portal.service_access``).
    if access.shared_account_id is None or not access.is_usable:
        raise ServiceAccess.DoesNotExist
    # Recorded in both accounts: who went in, from where.
    switched = Actor(user=actor.user, account=access.shared_account, role=access.role_inside, ip=actor.ip, grant=access)
    with transaction.atomic():
        record_all(
            entry(actor, AuditEntry.Action.SWITCH_IN, access, object_repr=str(access.shared_account)),
            entry(switched, AuditEntry.Action.SWITCH_IN, access, object_repr=str(actor.account)),
        )
        _rotate_session(session, access.pk)


def switch_out(actor: Actor, *, session: SessionBase, ended: bool = False) -> None:
    """Back to the provider's own account; a no-op in a session that is not switched.

    ``ended``: the switch no longer holds (revoked, sharer or account gone), so ``actor`` is already the
    provider's own; the customer's trail still says whose work in it ended.
    """
    access_id = session.get(SESSION_ACCESS_KEY)
    if access_id is None:
        return
    with transaction.atomic():
        if actor.grant is not None:
            record(actor, AuditEntry.Action.SWITCH_OUT, actor.grant, object_repr=str(actor.home_account))
        elif ended and isinstance(access_id, int):
            # unrestricted: the provider's own access, which its role may no longer let it see
            access = ServiceAccess.objects.filter(pk=access_id, account=actor.account).first()
            if access is not None:
                record(
                    actor,
                    AuditEntry.Action.SWITCH_END,
                    access,
                    account=access.shared_account,
                    object_repr=str(actor.account),
                )
        _rotate_session(session, None)


def revoke(actor: Actor, access: ServiceAccess) -> None:
    """The customer ends an access: gone from the provider's list, the switched session ends at its next request."""
    actor.forbid_switched()
    require_account(actor)
    with transaction.atomic():
        access = active_accesses(actor.account).select_for_update(of=("self",)).filter(pk=access.pk).first()
        if access is None:
            raise ServiceAccess.DoesNotExist
        if access.sharer_id != actor.user.pk and not actor.has_role(Role.OWNER):
            raise ActionDenied(
                actor, ServiceAccess, REVOKE, _("Only the person who shared, or an owner, can end this access.")
            )
        access.revoked_at = timezone.now()
        access.save(update_fields=["revoked_at"])
        record(actor, AuditEntry.Action.REVOKE, access, object_repr=str(access.account))
        record(actor, AuditEntry.Action.REVOKE, access, account=access.account, object_repr=str(actor.account))
