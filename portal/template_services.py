"""Portal template workflows: the reseller's changes, the operator area's, and the connection test."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import MASK, diff, record, snapshot
from core import throttle
from core.access import access_object, require_action, require_operator
from core.images import KINDS
from core.tenancy import CHANGE
from portal.mail import MailTestFailed, send_test_mail
from portal.models import PortalTemplate

if TYPE_CHECKING:
    from core.actor import Actor

# What the reseller edits; the portal URL only operator staff.
RESELLER_FIELDS = [
    "title",
    "portal_name",
    "portal_name_2",
    "home_url",
    "contact_url",
    "imprint_url",
    "privacy_url",
    "terms_url",
    "mail_host",
    "mail_port",
    "mail_security",
    "mail_username",
    "mail_password",
    "mail_from",
    "mail_from_name",
    "mail_footer",
    "color_1",
    "color_2",
    "color_3",
    "color_4",
    *KINDS,
]
AUDITED_FIELDS = ["portal_url", *RESELLER_FIELDS]

MAIL_TESTS_PER_ACCOUNT = 10
MAIL_TEST_WINDOW_SECONDS = 600


def template_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The audit diff: the password (masked by the audit app) and the images (random file names, which say
    nothing to a reader) only as "changed"."""
    changes = diff(before, after)
    for name in (*KINDS, "mail_password"):
        if name not in changes:
            continue
        if not before.get(name) and not after.get(name):
            # None (a new template) and "" are both "none": nothing a reader should see as a change.
            del changes[name]
        else:
            changes[name] = [MASK, MASK]
    return changes


def _delete_replaced_files(before: PortalTemplate, after: PortalTemplate) -> None:
    """Replaced images go once the change is committed: a rollback must not leave the template without its file."""
    for name in KINDS:
        old = getattr(before, name)
        if old.name and old.name != getattr(after, name).name:
            transaction.on_commit(partial(old.storage.delete, old.name))


def update_portal_template(actor: Actor, template: PortalTemplate) -> PortalTemplate:
    """Save the reseller's changes; ``template`` carries the new values, the database the old ones.

    The portal URL (and with it the host) stays what operator staff set, whatever ``template`` says.
    """
    require_action(actor, PortalTemplate, CHANGE)
    with transaction.atomic():
        current = access_object(actor, PortalTemplate.objects.select_for_update(), template.pk, CHANGE)
        template.account = current.account
        template.portal_url = current.portal_url
        template.full_clean(exclude=["account"], validate_constraints=False)
        before = snapshot(current, AUDITED_FIELDS)
        template.save()
        changes = template_changes(before, snapshot(template, AUDITED_FIELDS))
        if changes:
            record(actor, AuditEntry.Action.UPDATE, template, changes=changes)
        _delete_replaced_files(current, template)
    return template


def save_template_as_operator(actor: Actor, template: PortalTemplate) -> PortalTemplate:
    """Create or change a template in the operator area; recorded in the reseller's own activity list."""
    require_operator(actor)
    with transaction.atomic():
        current = None
        if template.pk is not None:
            # unrestricted: operator staff maintain every reseller's template in the operator area.
            current = PortalTemplate.objects.select_for_update().get(pk=template.pk)
        before = snapshot(current, AUDITED_FIELDS) if current is not None else {}
        template.save()
        changes = template_changes(before, snapshot(template, AUDITED_FIELDS))
        action = AuditEntry.Action.UPDATE if current is not None else AuditEntry.Action.CREATE
        if changes or current is None:
            record(actor, action, template, account=template.account, changes=changes)
    return template


def delete_template_as_operator(actor: Actor, template: PortalTemplate) -> None:
    """Delete a template in the operator area, recorded in the reseller's activity list; its images go too."""
    require_operator(actor)
    with transaction.atomic():
        record(actor, AuditEntry.Action.DELETE, template, account=template.account)
        for name in KINDS:
            image = getattr(template, name)
            if image.name:
                transaction.on_commit(partial(image.storage.delete, image.name))
        template.delete()


def send_settings_test_mail(actor: Actor, template: PortalTemplate) -> str:
    """Send a test mail through ``template``'s settings (saved or not) to the acting user; return the address.

    Counted per account: the test connects to a host the reseller chose, so it must not become a way to
    probe other people's servers.
    """
    require_action(actor, PortalTemplate, CHANGE)
    account = actor.account
    user = actor.user
    if account is None or user is None:
        raise MailTestFailed(_("The mail could not be sent."))
    if not throttle.allow(f"portal-mail-test:{account.pk}", MAIL_TESTS_PER_ACCOUNT, MAIL_TEST_WINDOW_SECONDS):
        raise MailTestFailed(_("Too many connection tests. Please wait a few minutes and try again."))
    send_test_mail(template, user.email)
    return user.email
