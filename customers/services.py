"""End-customer workflows: master data, the deletion guard, portal users, to-dos, data protection."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import Account, Membership
from audit.models import AuditEntry
from audit.services import diff, history_of, record, snapshot
from core import mail
from core.access import access_object, access_queryset, require_action
from core.actor import Actor
from core.tenancy import ADD, CHANGE, DELETE
from customers import imports, tasks
from customers.models import (
    PRODUCT_RELATIONS,
    CustomerImport,
    EndCustomer,
    PortalUser,
    Todo,
    describe_blockers,
    duplicate_number_message,
)
from users.models import User

CUSTOMER_FIELDS = [
    "number",
    "company",
    "last_name",
    "first_name",
    "street",
    "postal_code",
    "city",
    "country",
    "phone",
    "mobile",
    "email",
    "website",
]


def _save_customer(customer: EndCustomer) -> None:
    """Save, turning the per-reseller uniqueness constraint into the number field's error.

    The constraint, not a prior check, decides: of two simultaneous creations
    with the same number exactly one succeeds.
    """
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as error:
        raise ValidationError({"number": duplicate_number_message()}) from error


def _check_number_free(actor: Actor, customer: EndCustomer) -> None:
    others = EndCustomer.objects.restrict(actor).filter(number__iexact=customer.number).exclude(pk=customer.pk)
    if others.exists():
        raise ValidationError({"number": duplicate_number_message()})


def create_end_customer(actor: Actor, customer: EndCustomer) -> EndCustomer:
    require_action(actor, EndCustomer, ADD)
    customer.account = actor.account
    customer.full_clean(exclude=["account"], validate_constraints=False)
    with transaction.atomic():
        _check_number_free(actor, customer)
        _save_customer(customer)
        record(actor, AuditEntry.Action.CREATE, customer, changes=diff({}, snapshot(customer, CUSTOMER_FIELDS)))
    return customer


def update_end_customer(actor: Actor, customer: EndCustomer) -> EndCustomer:
    """Save changed master data; ``customer`` carries the new values, the database the old ones."""
    require_action(actor, EndCustomer, CHANGE)
    customer.full_clean(exclude=["account"], validate_constraints=False)
    with transaction.atomic():
        current = access_object(actor, EndCustomer.objects.select_for_update(), customer.pk, CHANGE)
        before = snapshot(current, CUSTOMER_FIELDS)
        customer.account = current.account
        _check_number_free(actor, customer)
        _save_customer(customer)
        changes = diff(before, snapshot(customer, CUSTOMER_FIELDS))
        if changes:
            record(actor, AuditEntry.Action.UPDATE, customer, changes=changes)
    return customer


def lock_end_customer(actor: Actor, pk: int, action: str = CHANGE) -> EndCustomer:
    """The customer row, locked for the rest of the transaction.

    Everything that ties something to a customer takes this lock first, and
    so does deletion: check-then-delete cannot interleave with an assignment.
    """
    return access_object(actor, EndCustomer.objects.select_for_update(), pk, action)


def delete_end_customer(actor: Actor, customer: EndCustomer) -> None:
    require_action(actor, EndCustomer, DELETE)
    with transaction.atomic():
        customer = lock_end_customer(actor, customer.pk, DELETE)
        blockers = customer.deletion_blockers()
        if any(blockers.values()):
            raise ValidationError(
                _("This customer cannot be deleted while it still has: %(blockers)s.")
                % {"blockers": describe_blockers(blockers)}
            )
        record(actor, AuditEntry.Action.DELETE, customer, changes=diff(snapshot(customer, CUSTOMER_FIELDS), {}))
        customer.delete_ended_products()
        customer.delete()


def portal_login_url(account: Account) -> str:
    """Where the portal users of ``account``'s end customers log in: its white-label portal, or without one the
    main portal; never the request's Host header."""
    return mail.base_url(account) + reverse("users:login", urlconf=settings.ROOT_URLCONF)


def portal_password_link(account: Account, user: User) -> str:
    # The end-customer portal serves the main portal's paths, so one path fits either host. The main portal's
    # URLs name it, also when a request on a portal host (its own URLs) asks for the mail.
    return mail.base_url(account) + reverse(
        "users:password_reset_confirm",
        urlconf=settings.ROOT_URLCONF,
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def _send_password_link(account: Account, user: User) -> None:
    mail.send_templated_mail(
        "customers/email/portal_password",
        {"user": user, "link": portal_password_link(account, user), "login_url": portal_login_url(account)},
        to=[user.email],
        on_behalf_of=account,
    )


def create_portal_user(
    actor: Actor,
    customer: EndCustomer,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str | None,
    send_summary: bool = False,
) -> PortalUser:
    """A login for ``customer``; without a password the user gets a one-time link to set one."""
    require_action(actor, PortalUser, ADD)
    with transaction.atomic():
        customer = lock_end_customer(actor, customer.pk)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("This username is already taken.")})
        user = User(username=username, first_name=first_name, last_name=last_name, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as error:
            raise ValidationError({"username": _("This username is already taken.")}) from error
        portal_user = PortalUser.objects.create(user=user, end_customer=customer)
        record(
            actor,
            AuditEntry.Action.CREATE,
            portal_user,
            parent=customer,
            changes=diff({}, {"user__username": username, "user__email": email}),
        )
        account = customer.account
        context = {"user": user, "customer": customer, "login_url": portal_login_url(account)}
        if not password:
            mail.send_templated_mail(
                "customers/email/portal_invitation",
                {**context, "link": portal_password_link(account, user)},
                to=[email],
                on_behalf_of=account,
            )
        if send_summary:
            mail.send_templated_mail("customers/email/portal_summary", context, to=[email], on_behalf_of=account)
    return portal_user


def set_portal_user_active(actor: Actor, portal_user: PortalUser, active: bool) -> None:
    """(De)activate a login; a deactivated user's running sessions stop at their next request."""
    require_action(actor, PortalUser, CHANGE)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=portal_user.user_id)
        if user.is_active == active:
            return
        user.is_active = active
        user.save(update_fields=["is_active"])
        action = AuditEntry.Action.ACTIVATE if active else AuditEntry.Action.DEACTIVATE
        record(actor, action, portal_user, parent=portal_user.end_customer)


def send_portal_password_link(actor: Actor, portal_user: PortalUser) -> None:
    require_action(actor, PortalUser, CHANGE)
    user = portal_user.user
    if not user.email:
        raise ValidationError(_("This user has no e-mail address."))
    with transaction.atomic():
        record(actor, AuditEntry.Action.PASSWORD_RESET, portal_user, parent=portal_user.end_customer)
        _send_password_link(portal_user.end_customer.account, user)


def portal_password_reset_mail(user: User) -> None:
    """The set-password mail a portal user asked for on their portal's "forgot your password" page.

    The caller throttles and answers the same whatever happened (as ``users.services.request_password_reset``);
    a user who is not a portal user, or has no address, gets nothing.
    """
    # unrestricted: the user asking is not logged in; their own login leads to their customer's account
    portal_user = PortalUser.objects.select_related("end_customer__account").filter(user=user).first()
    if portal_user is None or not user.email or not user.is_active:
        return
    _send_password_link(portal_user.end_customer.account, user)


def delete_portal_user(actor: Actor, portal_user: PortalUser) -> None:
    require_action(actor, PortalUser, DELETE)
    with transaction.atomic():
        customer = lock_end_customer(actor, portal_user.end_customer_id)
        record(actor, AuditEntry.Action.DELETE, portal_user, parent=customer)
        portal_user.user.delete()


TODO_FIELDS = ["title", "description", "due_date", "status", "assignee"]


def save_todo(actor: Actor, todo: Todo, customer: EndCustomer | None = None) -> Todo:
    """Create (with ``customer``) or update a to-do; the assignee must be a member of the account."""
    is_new = todo.pk is None
    require_action(actor, Todo, ADD if is_new else CHANGE)
    with transaction.atomic():
        if is_new:
            todo.end_customer = lock_end_customer(actor, customer.pk)
            before = {}
        else:
            current = access_object(actor, Todo.objects.select_for_update(), todo.pk, CHANGE)
            before = snapshot(current, TODO_FIELDS)
        if todo.assignee_id and not Membership.objects.restrict(actor).filter(user_id=todo.assignee_id).exists():
            raise ValidationError(
                {"assignee": _("Select a valid choice. That choice is not one of the available choices.")}
            )
        todo.save()
        changes = diff(before, snapshot(todo, TODO_FIELDS))
        action = AuditEntry.Action.CREATE if is_new else AuditEntry.Action.UPDATE
        record(actor, action, todo, parent=todo.end_customer, changes=changes)
    return todo


def delete_todo(actor: Actor, todo: Todo) -> None:
    require_action(actor, Todo, DELETE)
    with transaction.atomic():
        record(actor, AuditEntry.Action.DELETE, todo, parent=todo.end_customer)
        todo.delete()


def personal_data(actor: Actor, customer: EndCustomer) -> dict:
    """Everything stored about one end customer, machine-readable (GDPR Art. 15/20)."""
    actor.forbid_switched()
    customer = access_object(actor, EndCustomer, customer.pk)
    entries = history_of(access_queryset(actor, AuditEntry), customer).order_by("created_at")
    with transaction.atomic():
        record(actor, AuditEntry.Action.EXPORT, customer)
    return {
        "customer": {
            "id": customer.pk,
            **snapshot(customer, CUSTOMER_FIELDS),
            "created_at": customer.created_at.isoformat(),
        },
        "portal_users": [
            {
                "username": p.user.username,
                "first_name": p.user.first_name,
                "last_name": p.user.last_name,
                "email": p.user.email,
                "active": p.user.is_active,
                "created_at": p.created_at.isoformat(),
            }
            for p in access_queryset(actor, PortalUser).filter(end_customer=customer).select_related("user")
        ],
        "todos": [
            {
                "title": t.title,
                "description": t.description,
                "due_date": t.due_date.isoformat() if t.due_date else None,
                "status": t.status,
                "assignee": t.assignee.username if t.assignee else None,
            }
            for t in access_queryset(actor, Todo).filter(end_customer=customer).select_related("assignee")
        ],
        "assignments": [
            {"type": relation.model_label, "object": str(obj)}
            for relation in PRODUCT_RELATIONS
            for obj in access_queryset(actor, apps.get_model(relation.model_label)).filter(**{relation.field: customer})
        ],
        "activity": [
            {
                "time": e.created_at.isoformat(),
                "user": e.user_repr,
                "action": e.action,
                "object": e.object_repr,
                "changes": e.changes,
            }
            for e in entries
        ],
    }


def pseudonym(customer: EndCustomer) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{customer.account_id}:{customer.pk}".encode()).hexdigest()
    return _("erased customer %(id)s") % {"id": digest[:10]}


def erase_end_customer(actor: Actor, customer: EndCustomer) -> str:
    """Delete the customer on request; its audit trail keeps only a pseudonym (GDPR Art. 17).

    The deletion guard applies: contracts and hostings are business records and
    must be unassigned first, portal users deleted. Returns the pseudonym.
    """
    actor.forbid_switched()
    require_action(actor, EndCustomer, DELETE)
    with transaction.atomic():
        customer = lock_end_customer(actor, customer.pk, DELETE)
        blockers = customer.deletion_blockers()
        if any(blockers.values()):
            raise ValidationError(
                _("This customer cannot be erased while it still has: %(blockers)s.")
                % {"blockers": describe_blockers(blockers)}
            )
        alias = pseudonym(customer)
        # The one sanctioned rewrite of history: personal data leaves the trail, the facts stay. No role may
        # change audit entries, so this reads past the restriction, within the customer's account.
        entries = AuditEntry.objects.filter(account=customer.account)  # unrestricted: see above
        history_of(entries, customer).update(object_repr=alias, changes={})
        record(actor, AuditEntry.Action.ERASE, customer, object_repr=alias)
        customer.delete_ended_products()
        customer.delete()
    return alias


def start_import(actor: Actor, *, name: str, data: bytes) -> CustomerImport:
    """Keep an upload for a task to read (``imports.read``); only what needs no reading is checked here, so a
    hostile file costs a worker its limits, never a web request."""
    require_action(actor, CustomerImport, ADD)
    imports.check_upload(name, len(data))
    with transaction.atomic():
        job = CustomerImport(
            account=actor.account, created_by=actor.user, file_name=name[:200], status=CustomerImport.Status.READING
        )
        job.source.save(name, ContentFile(data), save=False)
        job.save()
        transaction.on_commit(lambda: tasks.read_import.enqueue(job.pk))
    return job


def _unread_imports():
    """Imports without their rows (about 40 MB of JSON at 100,000): starting a task needs none of them."""
    # unrestricted: access_object restricts it where it is used
    return CustomerImport.objects.defer("header", "rows", "cleaned")


def check_import(actor: Actor, job: CustomerImport, mapping: dict) -> None:
    with transaction.atomic():
        job = access_object(actor, _unread_imports().select_for_update(), job.pk, CHANGE)
        if job.status not in (CustomerImport.Status.UPLOADED, CustomerImport.Status.VALIDATED):
            raise ValidationError(_("This import is already running or finished."))
        job.mapping, job.status, job.processed, job.errors = mapping, CustomerImport.Status.VALIDATING, 0, []
        job.save(update_fields=["mapping", "status", "processed", "errors"])
        transaction.on_commit(lambda: tasks.check_import.enqueue(job.pk))


def run_import(actor: Actor, job: CustomerImport, *, only_valid: bool) -> None:
    require_action(actor, EndCustomer, ADD)
    with transaction.atomic():
        job = access_object(actor, _unread_imports().select_for_update(), job.pk, CHANGE)
        if job.status != CustomerImport.Status.VALIDATED:
            raise ValidationError(_("This import is already running or finished."))
        if job.errors and not only_valid:
            raise ValidationError(_("The file has invalid rows. Correct them, or import only the valid rows."))
        job.status, job.processed = CustomerImport.Status.IMPORTING, 0
        job.save(update_fields=["status", "processed"])
        transaction.on_commit(
            lambda: tasks.run_import.enqueue(job.pk, user_id=actor.user.pk, only_valid=only_valid, ip=actor.ip)
        )
