"""Partner profile and inquiry workflows: editing the profile, receiving an inquiry, turning it into a customer."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from audit.models import AuditEntry
from audit.services import MASK, diff, record, snapshot
from core import throttle
from core.access import access_object, access_queryset, require_account, require_action
from core.mail import send_templated_mail
from core.roles import Role
from core.tenancy import ADD, CHANGE, VIEW
from customers.models import EndCustomer
from customers.services import create_end_customer, lock_end_customer
from profiles.models import Inquiry, PartnerProfile, published_profiles

if TYPE_CHECKING:
    from core.actor import Actor

PROFILE_FIELDS = [
    "is_public",
    "display_name",
    "slug",
    "logo",
    "description",
    "services",
    "postal_code",
    "city",
    "website",
    "contact_email",
]
INQUIRY_FIELDS = ["name", "company", "email", "phone", "message", "status"]

# A person writes a few inquiries; a script writing to every partner stops here, and so does a flood to one.
INQUIRIES_PER_IP = 5
INQUIRIES_PER_PARTNER = 30
INQUIRY_WINDOW_SECONDS = 60 * 60
THROTTLED = _("You have sent several inquiries within a short time. Please try again in an hour.")
ALREADY_LINKED = _("This inquiry already belongs to a customer.")
SLUG_TAKEN = _("This address is already taken. Please choose another one.")


def own_profile(actor: Actor, action: str = VIEW) -> PartnerProfile | None:
    """The actor's account's profile, or None while it has none (404 / 403 as the access helper decides)."""
    return access_queryset(actor, PartnerProfile, action).first()


def free_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A slug made of ``name`` that no other profile uses (``name-2``, ``name-3`` … when taken)."""
    base = slugify(name)[:70].strip("-") or "partner"
    # unrestricted: slugs are unique across every account; only whether one is taken is read
    others = PartnerProfile.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _profile_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The audit diff; the logo (a random file name, which says nothing to a reader) only as "changed"."""
    changes = diff(before, after)
    if "logo" in changes:
        if not before.get("logo") and not after.get("logo"):
            del changes["logo"]
        else:
            changes["logo"] = [MASK, MASK]
    return changes


def save_partner_profile(actor: Actor, profile: PartnerProfile) -> PartnerProfile:
    """Create or change the account's one profile; ``profile`` carries the new values (its logo already checked
    and re-encoded by ``core.images``), the database the old ones. A replaced logo goes once this commits."""
    is_new = profile.pk is None
    require_action(actor, PartnerProfile, ADD if is_new else CHANGE)
    account = require_account(actor)
    profile.account = account
    if not profile.slug:
        profile.slug = free_slug(profile.display_name, exclude_pk=profile.pk)
    profile.full_clean(exclude=["account", "logo"], validate_constraints=False)
    with transaction.atomic():
        if is_new:
            if access_queryset(actor, PartnerProfile, ADD).exists():
                raise ValidationError(_("This account already has a partner profile."))
            before: dict[str, Any] = {}
            old_logo = None
        else:
            current = access_object(actor, PartnerProfile.objects.select_for_update(), profile.pk, CHANGE)
            before = snapshot(current, PROFILE_FIELDS)
            old_logo = current.logo
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError as error:
            raise ValidationError({"slug": SLUG_TAKEN}) from error
        if old_logo and old_logo.name and old_logo.name != profile.logo.name:
            transaction.on_commit(partial(old_logo.storage.delete, old_logo.name))
        changes = _profile_changes(before, snapshot(profile, PROFILE_FIELDS))
        if changes or is_new:
            record(actor, AuditEntry.Action.CREATE if is_new else AuditEntry.Action.UPDATE, profile, changes=changes)
    return profile


def inquiry_recipients(profile: PartnerProfile) -> list[str]:
    """The profile's contact address, or else the addresses of the account's active owners."""
    if profile.contact_email:
        return [profile.contact_email]
    # unrestricted: the sender is anonymous; the partner's own owners are who the inquiry is for
    owners = Membership.objects.filter(account_id=profile.account_id, role=Role.OWNER, user__is_active=True)
    return sorted({email for email in owners.values_list("user__email", flat=True) if email})


def send_inquiry(profile: PartnerProfile, inquiry: Inquiry, *, actor: Actor) -> Inquiry:
    """Store an inquiry someone sent through ``profile``'s public page and mail the partner.

    Anyone may send one (``actor`` is usually anonymous, with the client's IP); the profile must be published.
    At most ``INQUIRIES_PER_IP`` per address and ``INQUIRIES_PER_PARTNER`` per partner within
    ``INQUIRY_WINDOW_SECONDS``.
    """
    if not published_profiles().filter(pk=profile.pk).exists():
        raise ValidationError(_("This partner profile is not public."))
    allowed = throttle.allow(f"inquiry:ip:{actor.ip}", INQUIRIES_PER_IP, INQUIRY_WINDOW_SECONDS)
    allowed &= throttle.allow(f"inquiry:partner:{profile.account_id}", INQUIRIES_PER_PARTNER, INQUIRY_WINDOW_SECONDS)
    if not allowed:
        raise throttle.TooManyAttempts(THROTTLED, retry_after=INQUIRY_WINDOW_SECONDS, field="message")
    inquiry.account_id = profile.account_id
    inquiry.status = Inquiry.Status.OPEN
    inquiry.end_customer = None
    inquiry.full_clean(exclude=["account"])
    with transaction.atomic():
        inquiry.save()
        record(actor, AuditEntry.Action.CREATE, inquiry, account=profile.account, object_repr=str(inquiry))
        context = {
            "inquiry": inquiry,
            "profile": profile,
            "link": f"{settings.SITE_URL}{reverse('profiles:inquiry_detail', args=[inquiry.pk])}",
        }
        # The partner reads the provider's language, whatever the sender's browser asked for.
        with translation.override(settings.LANGUAGE_CODE):
            send_templated_mail("profiles/email/inquiry", context, to=inquiry_recipients(profile))
    return inquiry


def _lock_open_inquiry(actor: Actor, inquiry: Inquiry) -> Inquiry:
    current = access_object(actor, Inquiry.objects.select_for_update(), inquiry.pk, CHANGE)
    if current.end_customer_id is not None:
        raise ValidationError(ALREADY_LINKED)
    return current


def _link(actor: Actor, inquiry: Inquiry, customer: EndCustomer) -> Inquiry:
    before = snapshot(inquiry, ["status", "end_customer"])
    inquiry.end_customer = customer
    inquiry.status = Inquiry.Status.DONE
    inquiry.save(update_fields=["end_customer", "status"])
    changes = diff(before, snapshot(inquiry, ["status", "end_customer"]))
    record(actor, AuditEntry.Action.UPDATE, inquiry, parent=customer, changes=changes)
    return inquiry


def assign_inquiry(actor: Actor, inquiry: Inquiry, customer: EndCustomer) -> Inquiry:
    """Assign the inquiry to an existing end customer of the account, for good; it is then done."""
    require_action(actor, Inquiry, CHANGE)
    with transaction.atomic():
        current = _lock_open_inquiry(actor, inquiry)
        customer = lock_end_customer(actor, customer.pk, VIEW)
        return _link(actor, current, customer)


def create_customer_from_inquiry(actor: Actor, inquiry: Inquiry, customer: EndCustomer) -> EndCustomer:
    """Create ``customer`` (master data pre-filled from the inquiry, completed by the partner) and link the
    inquiry to it, in one transaction: either both happen or neither (SECURITY-TESTS REL-14)."""
    require_action(actor, Inquiry, CHANGE)
    require_action(actor, EndCustomer, ADD)
    with transaction.atomic():
        current = _lock_open_inquiry(actor, inquiry)
        create_end_customer(actor, customer)
        _link(actor, current, customer)
    return customer


def set_inquiry_status(actor: Actor, inquiry: Inquiry, status: str) -> Inquiry:
    """Mark an inquiry done (handled without a customer) or open again; one linked to a customer stays done."""
    require_action(actor, Inquiry, CHANGE)
    if status not in Inquiry.Status.values:
        raise ValidationError({"status": _("Select a valid choice. That choice is not one of the available choices.")})
    with transaction.atomic():
        current = access_object(actor, Inquiry.objects.select_for_update(), inquiry.pk, CHANGE)
        if current.end_customer_id is not None and status != Inquiry.Status.DONE:
            raise ValidationError(ALREADY_LINKED)
        if current.status == status:
            return current
        before = snapshot(current, ["status"])
        current.status = status
        current.save(update_fields=["status"])
        record(actor, AuditEntry.Action.UPDATE, current, changes=diff(before, snapshot(current, ["status"])))
    return current


def open_inquiry_count(actor: Actor) -> int:
    """The badge next to "Anfragen": open inquiries of the actor's account (0 where the actor may not see them)."""
    if not actor.may(Inquiry, VIEW):
        return 0
    return Inquiry.objects.restrict(actor).filter(status=Inquiry.Status.OPEN).count()


def has_inquiries(actor: Actor, customer: EndCustomer) -> bool:
    """Whether the customer's page shows its Anfragen tab: it has inquiries the actor may see."""
    if not actor.may(Inquiry, VIEW):
        return False
    return Inquiry.objects.restrict(actor).filter(end_customer=customer).exists()
