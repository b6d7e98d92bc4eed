"""Provisioning of reseller hostings on Plesk: idempotent by construction.

``provision(hosting_id)`` may run any number of times, in any number of
workers, and be killed at any point; it never creates a Plesk object twice:

1. **Lease.** It sets ``claimed_until`` (now + ``lease()``) with one
   conditional UPDATE of the row version it read (``claim``). A hosting that is final, not yet due
   (``next_attempt_at``) or leased by a live worker is skipped. A worker that
   dies leaves the lease to expire; ``manage.py sweep_provisioning`` then
   enqueues the job again.
2. **Owner check.** The hosting, its contract, its product and its customer
   must belong to the same account (SECURITY-TESTS ISO-06); otherwise the job
   fails "not permitted" without any call to Plesk.
3. **Look up before creating.** With the contract's reseller login, one
   packet (one round trip) looks for the Plesk customer by our external id
   (``pp-customer-<customer pk>``) or its login and for the subscription by
   ours (``pp-hosting-<hosting pk>``); only what is absent is created. An unknown outcome (timeout, dropped
   connection, HTTP 5xx) or "already exists" (1007) is resolved by reading
   the server again, never by creating again (REL-02).
4. **Outcome.** Found or created → *active*. Transient faults → a retry with
   exponential back-off and jitter, up to ``MAX_ATTEMPTS``; then *failed*
   with the reason in plain words (a manual retry is possible). Refused login
   → the contract's login is marked refused and the hosting *paused*, with no
   retry loop (Plesk bans IPs, PX-07); every other job of that contract pauses
   without calling Plesk, and the sweep resumes them all once operator staff
   have corrected the login. Other Plesk errors → *failed* with Plesk's text.
5. **Cancelling.** A failed or waiting hosting that its reseller cancels runs
   the same job, with the same lease, retries and sweep, the other way round
   (``_Removal``): it removes the subscription with our external id and the
   Plesk customer only if a job of the portal created it (recorded before its
   next call, ``created_plesk_customer``) and nothing else uses it, looking
   before each removal; then the hosting is *cancelled*.

6. **The lifecycle.** Sperren / Entsperren, Tarif wechseln and Kündigen / Löschen of a hosting on the server
   run the same job from their own status (``ResellerHosting.LIFECYCLE_JOBS``, the steps in ``JOBS``): each
   looks at the subscription (and its Plesk customer, or the new plan) first and sends only what is not as
   wanted yet, reading back an unknown outcome; the deletion is the cancellation's removal of the hosting's
   subscription (by its id). One that fails for good, or meets a refused login, goes back to where it started
   (``resume_status``) with the reason, to be started again.

A job acts for the system on a hosting that a service queued after checking
its actor, so it reads and writes its rows by id past the restriction (the
lines say ``# unrestricted``); the owner check (2.) keeps accounts apart.

The database is never locked while Plesk is called: the lease is the lock.
Every call's outcome goes to the timeline (``ProvisioningEvent``) before the
next call starts, or with the end of the attempt, so the timeline survives a
worker that dies (``Timeline``).
"""

from __future__ import annotations

import logging
import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hosting.messages import Message, note
from hosting.metrics import provisioning_ended
from hosting.models import ProvisioningEvent, ResellerHosting
from hosting.summary import send_space_summary
from plesk import errors, ops

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A worker holds a job at most this long; after that the sweep may hand it to another one.
LEASE = timedelta(seconds=300)
MAX_ATTEMPTS = 6
BACKOFF_BASE = 30.0  # seconds before the second attempt
BACKOFF_CAP = 3600.0

Status = ResellerHosting.Status
Kind = ProvisioningEvent.Kind


def customer_external_id(end_customer_id: int) -> str:
    return f"pp-customer-{end_customer_id}"


def hosting_external_id(hosting_id: int) -> str:
    return f"pp-hosting-{hosting_id}"


def customer_login(hosting: ResellerHosting) -> str:
    """The Plesk login of the end customer: reseller account number and customer number, Plesk-safe.

    Plesk logins are unique across the whole server, customer numbers only
    within one reseller: the account number keeps them apart.
    """
    number = re.sub(r"[^a-z0-9_.-]+", "-", hosting.end_customer.number.lower()).strip("-._") or "kunde"
    return f"k{hosting.account.number}-{number}"[:60]


def backoff(attempt: int) -> float:
    """Seconds until attempt ``attempt + 1``: exponential, capped, with jitter (between half and all of it)."""
    first = getattr(settings, "HOSTING_BACKOFF_BASE", BACKOFF_BASE)
    base = min(getattr(settings, "HOSTING_BACKOFF_CAP", BACKOFF_CAP), first * 2 ** max(0, attempt - 1))
    return base / 2 + random.uniform(0, base / 2)  # noqa: S311 - jitter, not a secret


def lease() -> timedelta:
    """How long a worker holds a job; ``HOSTING_LEASE_SECONDS`` overrides ``LEASE``."""
    return timedelta(seconds=getattr(settings, "HOSTING_LEASE_SECONDS", LEASE.total_seconds()))


def max_attempts() -> int:
    return getattr(settings, "HOSTING_MAX_ATTEMPTS", MAX_ATTEMPTS)


# Per call. An attempt makes at most six calls, so it ends well within the lease and no second
# worker takes over a job that is still running (it would only adopt, but it would waste calls).
# A worker's jobs share their connections to a server: no TCP and TLS handshake per job.
DEFAULT_CLIENT_OPTIONS = {"connect_timeout": 10.0, "read_timeout": 30.0, "deadline": 40.0, "reuse_connections": True}


def client_options() -> dict[str, Any]:
    """Plesk client options for provisioning (timeouts); ``HOSTING_PLESK_CLIENT_OPTIONS`` overrides them."""
    return {**DEFAULT_CLIENT_OPTIONS, **getattr(settings, "HOSTING_PLESK_CLIENT_OPTIONS", {})}


def add_event(hosting_id: int, kind: str, message: Message) -> None:
    """Append a row to the hosting's timeline at once, outside an attempt (queued, retried, resumed,
    checked); an attempt's own rows go through its ``Timeline``."""
    ProvisioningEvent.objects.create(hosting_id=hosting_id, kind=kind, code=message["code"], params=message["params"])


class Timeline:
    """The rows of an attempt's timeline that are not written yet: the outcome of the Plesk call just made
    and what the attempt made of it ("Adopted …").

    They are written in one ``bulk_create`` before the next Plesk call starts (``write``), or with the
    end of the attempt in its transaction (``_finish``): every call's outcome is in the database before
    the next call is made, and a worker that dies loses at most the outcome of its last call, which the
    next attempt's look-up finds again.
    """

    def __init__(self, hosting_id: int) -> None:
        self.hosting_id = hosting_id
        self.pending: list[ProvisioningEvent] = []

    def add(self, kind: str, message: Message) -> None:
        # The row's time is taken now, when it happens, not when it is written.
        row = ProvisioningEvent(hosting_id=self.hosting_id, kind=kind, code=message["code"], params=message["params"])
        self.pending.append(row)

    def write(self) -> None:
        rows, self.pending = self.pending, []
        if rows:
            ProvisioningEvent.objects.bulk_create(rows)


# --- outcome classes -------------------------------------------------------------------------------


class Outcome(Exception):
    """The end of an attempt other than success; ``reason`` says why (a message of ``hosting.messages``)."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code)
        self.reason = note(code, **params)


class Transient(Outcome):
    """Worth trying again later."""


class Permanent(Outcome):
    """Trying again will not help until someone changes something."""


class Paused(Exception):
    """The reseller's Plesk login was refused: wait, without calling Plesk, until it is corrected."""


@dataclass
class Claim:
    hosting: ResellerHosting
    until: datetime
    timeline: Timeline


# --- the lease ---------------------------------------------------------------------------------------

# The timeline's first row of an attempt, by the job's status.
STARTED = {
    Status.PROVISIONING: "started",
    Status.CANCELLING: "cancel_started",
    Status.SUSPENDING: "suspend_started",
    Status.UNSUSPENDING: "unsuspend_started",
    Status.DELETING: "delete_started",
    Status.CHANGING_PLAN: "plan_change_started",
    Status.ADDING_DOMAIN: "rename_started",
}

# What the job uses of a hosting besides its own row, read with it in one query.
JOB_RELATIONS = ("account", "contract__hosting_server", "product", "end_customer", "target_product")


def claim(hosting_id: int, *, now: datetime | None = None) -> Claim | None:
    """Take the job's lease, or ``None`` when it is final, not due, leased by a live worker or gone. The job
    is to set the hosting up (*provisioning*) or to remove what was set up (*cancelling*).

    The row is read with its related rows, then taken by one conditional UPDATE of the version that
    was read (its attempt count): both databases decide between two workers on the row itself
    (PostgreSQL re-checks the condition after waiting for the row), so no lock is held while the job
    runs. The "started" row of the timeline is written in the UPDATE's transaction.
    """
    now = now or timezone.now()
    try:
        # unrestricted: the job
        hosting = ResellerHosting.objects.select_related(*JOB_RELATIONS).get(
            pk=hosting_id, status__in=ResellerHosting.JOB_STATUSES
        )
    except ResellerHosting.DoesNotExist:
        return None
    if hosting.claimed_until and hosting.claimed_until > now:
        return None
    if hosting.next_attempt_at and hosting.next_attempt_at > now:
        return None
    changes = {
        "claimed_until": now + lease(),
        "attempts": hosting.attempts + 1,
        "last_attempt_at": now,
        "next_attempt_at": None,
    }
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    timeline = Timeline(hosting_id)
    timeline.add(Kind.STARTED, note(STARTED[hosting.status], n=changes["attempts"]))
    # Still free and due, and still the version read: of two workers that read it, only one takes it.
    with transaction.atomic():
        # unrestricted: the job
        taken = ResellerHosting.objects.filter(
            free & due, pk=hosting_id, status=hosting.status, attempts=hosting.attempts
        ).update(**changes)
        if not taken:
            return None
        timeline.write()
    for name, value in changes.items():
        setattr(hosting, name, value)
    return Claim(hosting, changes["claimed_until"], timeline)


def _finish(claimed: Claim, event: tuple[str, Message], **changes: Any) -> bool:
    """Write the end of an attempt and its last timeline row, if this worker still holds the lease (nobody
    took the job over), together with the outcome of its last call, which is written either way."""
    hosting = claimed.hosting
    job = hosting.status
    changes["claimed_until"] = None
    with transaction.atomic():
        # unrestricted: the job
        written = ResellerHosting.objects.filter(
            pk=hosting.pk, status=hosting.status, claimed_until=claimed.until
        ).update(**changes)
        if written:
            claimed.timeline.add(*event)
        claimed.timeline.write()
    if not written:
        logger.warning("hosting %s: lease lost, result of this attempt not written", hosting.pk)
        provisioning_ended(job, "lease_lost")
        return False
    provisioning_ended(job, event[0])
    for name, value in changes.items():
        setattr(hosting, name, value)
    return True


# --- the job -----------------------------------------------------------------------------------------


def provision(hosting_id: int, *, options: dict[str, Any] | None = None) -> str | None:
    """Run one attempt of the hosting's job, setting it up or cancelling it; returns its status afterwards
    (``None``: nothing was done)."""
    claimed = claim(hosting_id)
    if claimed is None:
        return None
    if claimed.hosting.status in JOBS:
        return _undo_or_change(claimed, options)
    hosting = claimed.hosting
    try:
        with _client(hosting, options) as client:
            customer_id, login, subscription_id, name = _Steps(hosting, client, claimed.timeline).run()
    except Paused:
        _pause(claimed)
    except Permanent as error:
        _fail(claimed, error.reason)
    except Transient as error:
        _retry_or_fail(claimed, error.reason)
    except Exception:
        logger.exception("hosting %s: provisioning crashed", hosting_id)
        _retry_or_fail(claimed, note("internal_error"))
    else:
        ends, done = (
            (Status.ACTIVE, note("succeeded", name=name))
            if subscription_id is not None
            else (Status.PREPARED, note("prepared", login=login))
        )
        if _finish(
            claimed,
            (Kind.SUCCEEDED, done),
            status=ends,
            plesk_customer_id=customer_id,
            plesk_customer_login=login,
            subscription_id=subscription_id,
            subscription_name=name,
            failure={},
        ):
            _after_success(claimed.hosting)
            return ends
    # unrestricted: the job
    return ResellerHosting.objects.filter(pk=hosting_id).values_list("status", flat=True).first()


def _client(hosting: ResellerHosting, options: dict[str, Any] | None):
    """The contract's client for the job, after the checks that come before any call to Plesk."""
    _check_owner(hosting)
    if hosting.contract.plesk_login_refused_at is not None:
        raise Paused
    try:
        return hosting.contract.plesk_client(**{**client_options(), **(options or {})})
    except ValidationError as error:
        raise Permanent("text", text=" ".join(error.messages)) from error


def _undo_or_change(claimed: Claim, options: dict[str, Any] | None) -> str | None:
    """An attempt of a job other than setting up (``JOBS``): cancelling, or a step of the lifecycle.

    A cancellation that fails leaves the hosting *failed*, to be cancelled again (or retried); a lifecycle job
    that fails goes back to where it started (``resume_status``) with the reason, to be tried again. A refused
    login does not pause them: a paused hosting resumes setting up.
    """
    hosting = claimed.hosting
    job = JOBS[hosting.status]
    try:
        with _client(hosting, options) as client:
            job.steps(hosting, client, claimed.timeline).act()
    except Paused:
        _fail(claimed, note(job.login_refused))
    except Permanent as error:
        _fail(claimed, error.reason)
    except Transient as error:
        _retry_or_fail(claimed, error.reason)
    except Exception:
        logger.exception("hosting %s: job %s crashed", hosting.pk, hosting.status)
        _retry_or_fail(claimed, note("internal_error"))
    else:
        changes = job.clears(hosting)
        if _finish(claimed, (job.kind, note(job.done)), status=job.ends, failure={}, resume_status="", **changes):
            return job.ends
    # unrestricted: the job
    return ResellerHosting.objects.filter(pk=hosting.pk).values_list("status", flat=True).first()


def _fail(claimed: Claim, reason: Message) -> None:
    hosting = claimed.hosting
    job = JOBS.get(hosting.status)
    if job is not None:
        reason = note(job.failed, reason=reason)
    # A cancellation ends failed; a lifecycle job where it started.
    status = hosting.resume_status or Status.FAILED
    undone = job.reverts(hosting) if job is not None else {}
    _finish(
        claimed,
        (Kind.FAILED, reason),
        status=status,
        failure=reason,
        resume_status="",
        target_product=None,
        **undone,
    )


def _pause(claimed: Claim) -> None:
    _finish(claimed, (Kind.PAUSED, note("paused")), status=Status.PAUSED, failure=note("paused"))


def _retry_or_fail(claimed: Claim, reason: Message) -> None:
    hosting = claimed.hosting
    if hosting.attempts >= max_attempts():
        _fail(claimed, note("gave_up", reason=reason, n=hosting.attempts))
        return
    when = timezone.now() + timedelta(seconds=backoff(hosting.attempts))
    # The timeline shows the day already; the time is the portal's local time, as everywhere in the UI.
    at = timezone.localtime(when).strftime("%H:%M:%S")
    message = note("retry_at", reason=reason, time=at)
    if _finish(claimed, (Kind.RETRY_SCHEDULED, message), next_attempt_at=when, failure=reason):
        from hosting.tasks import enqueue_provisioning

        transaction.on_commit(lambda: enqueue_provisioning(hosting.pk, run_after=when))


def _after_success(hosting: ResellerHosting) -> None:
    """The space summary, if the reseller asked for it: once, when the space is first ready (with its domain, or
    prepared without one); a conditional update decides between two workers."""
    if not hosting.send_summary:
        return
    # unrestricted: the job
    if not ResellerHosting.objects.filter(pk=hosting.pk, summary_sent_at__isnull=True).update(
        summary_sent_at=timezone.now()
    ):
        return
    try:
        send_space_summary(hosting)
    except Exception:  # the hosting is ready whatever happens to the mail (REL-13)
        logger.exception("hosting %s: the summary mail could not be queued", hosting.pk)
        add_event(hosting.pk, Kind.CALL, note("mail_failed"))


def _check_owner(hosting: ResellerHosting) -> None:
    """Everything the job touches belongs to the hosting's account (ISO-06); checked before any call."""
    contract, product, customer = hosting.contract, hosting.product, hosting.end_customer
    accounts = {hosting.account_id, contract.account_id, product.account_id, customer.account_id}
    if len(accounts) != 1 or product.contract_id != contract.pk:
        raise Permanent("not_permitted")
    if not (contract.hosting_server_id and contract.plesk_login):
        raise Permanent("not_connected")


class _Steps:
    """An attempt: one packet that looks up our customer and subscription, then each one missing is created
    ("look up, else create, and on doubt look up again")."""

    def __init__(self, hosting: ResellerHosting, client, timeline: Timeline | None = None) -> None:
        self.hosting = hosting
        self.client = client
        self.timeline = timeline or Timeline(hosting.pk)
        self.step = 1
        self.customer_external_id = hosting.customer_external_id or customer_external_id(hosting.end_customer_id)
        self.external_id = hosting.external_id or hosting_external_id(hosting.pk)
        self.login = customer_login(hosting)
        self.looked_up = False
        self.found = None

    def run(self) -> tuple[int, str, int | None, str]:
        """Plesk customer id and login, subscription id and name, each found or created; a hosting space without
        a domain gets its customer only (no subscription: ``None``, ``""``)."""
        customer, webspace = self.lookup()
        if webspace is not None:
            if customer is None:
                return webspace.owner_id, webspace.owner_login or "", webspace.id, webspace.name
            return customer.id, customer.login, webspace.id, webspace.name
        customer_id, login = self.customer()
        if not self.hosting.domain:
            return customer_id, login, None, ""
        subscription_id, name = self.subscription(customer_id)
        return customer_id, login, subscription_id, name

    def refused(self, text: str, code: int = 0) -> Permanent:
        """The failure when Plesk refuses a call (with error ``code``)."""
        return Permanent("refused", step=self.step, text=text)

    def call(self, step: str, function: Callable[[], T], *, changes: bool = False, absent_ok: bool = False) -> T | None:
        """One Plesk call for ``step`` (a key of ``hosting.messages.STEPS``); its outcome goes to the timeline
        and becomes Transient/Permanent as it deserves.

        With ``changes`` (the call creates or removes something), an unknown outcome is raised as
        ``PleskOutcomeUnknown`` for the caller to reconcile by reading; otherwise it is transient. With
        ``absent_ok``, "does not exist" is no error: the call returns ``None``.
        """

        def outcome(outcome: str, **params: Any) -> None:
            self.timeline.add(Kind.CALL, note("call", step=step, outcome=outcome, **params))

        self.timeline.write()
        try:
            result = function()
        except errors.PleskAuthError as error:
            # The client's hook has marked the contract's login refused already.
            outcome("login_refused")
            raise Paused from error
        except errors.PleskAPIError as error:
            if error.http_status >= 500:
                # A server fault: it may or may not have executed the request.
                outcome("server_error", status=error.http_status, text=error.errtext)
                if not changes:
                    raise Transient("server_error") from error
                raise errors.PleskOutcomeUnknown(error.errtext) from error
            if isinstance(error, errors.PleskAlreadyExists):
                outcome("exists")
                raise
            if absent_ok and isinstance(error, errors.PleskNotFound):
                outcome("gone")
                return None
            outcome("plesk_error", code=error.errcode, text=error.errtext)
            raise self.refused(error.errtext, error.errcode) from error
        except errors.PleskTLSError as error:
            outcome("certificate")
            raise Permanent("certificate") from error
        except errors.PleskConnectionError as error:
            outcome("unreachable")
            raise Transient("unreachable") from error
        except errors.PleskOutcomeUnknown as error:
            outcome("unknown")
            if not changes:
                raise Transient("no_usable_answer") from error
            raise
        except ValidationError as error:
            raise Permanent("text", text=" ".join(error.messages)) from error
        outcome("done")
        return result

    def send(self, *operations) -> list:
        return [outcome.unwrap() for outcome in self.client.send(operations)]

    # -- the look-up: one round trip for both objects -----------------------------------------------

    def lookup(self):
        """Our Plesk customer (by external id, else by login) and our subscription (by external id)."""
        by_external_id, by_login, webspaces = self.call(
            "lookup",
            lambda: self.send(
                ops.get_customers(external_ids=[self.customer_external_id]),
                ops.get_customers(logins=[self.login]),
                ops.get_webspaces(external_ids=[self.external_id], hosting=False),
            ),
        )
        self.looked_up, self.found = True, (by_external_id or by_login or [None])[0]
        return self.found, (webspaces[0] if webspaces else None)

    def find_customer(self):
        by_external_id, by_login = self.call(
            "find_customer",
            lambda: self.send(
                ops.get_customers(external_ids=[self.customer_external_id]), ops.get_customers(logins=[self.login])
            ),
        )
        return (by_external_id or by_login or [None])[0]

    def find_subscription(self):
        found = self.call("find_subscription", lambda: self.client.get_webspaces(external_ids=[self.external_id]))
        return found[0] if found else None

    # -- step 1: the Plesk customer ----------------------------------------------------------------

    def customer(self) -> tuple[int, str]:
        self.step = 1
        found = self.found if self.looked_up else self.find_customer()
        if found is not None:
            return found.id, found.login
        hosting = self.hosting
        customer = hosting.end_customer
        login = self.login
        password = secrets.token_urlsafe(18)  # never stored nor logged: the customer sets their own
        try:
            ref = self.call(
                "customer_add",
                lambda: self.client.add_customer(
                    login=login,
                    password=password,
                    name=f"{customer.first_name} {customer.last_name}",
                    company=customer.company or None,
                    email=customer.email,
                    address=customer.street,
                    city=customer.city,
                    postal_code=customer.postal_code,
                    country=customer.country,
                    owner_login=hosting.contract.plesk_login,
                    external_id=self.customer_external_id,
                ),
                changes=True,
            )
        except (errors.PleskAlreadyExists, errors.PleskOutcomeUnknown) as error:
            found = self.find_customer()
            if found is not None:
                self.timeline.add(Kind.CALL, note("adopted_customer", login=login))
                if isinstance(error, errors.PleskOutcomeUnknown) and found.external_id == self.customer_external_id:
                    self.created_customer()  # our add, whose answer was lost
                return found.id, found.login
            if isinstance(error, errors.PleskAlreadyExists):
                raise Permanent("login_taken", login=login) from error
            raise Transient("customer_unconfirmed") from error
        self.created_customer()
        return ref.id, login

    def created_customer(self) -> None:
        """Record that this hosting's job created the Plesk customer, with the timeline so far, before the next
        call: whatever happens next, a cancellation knows it may remove it."""
        with transaction.atomic():
            # unrestricted: the job
            ResellerHosting.objects.filter(pk=self.hosting.pk).update(created_plesk_customer=True)
            self.timeline.write()
        self.hosting.created_plesk_customer = True

    # -- step 2: the subscription ------------------------------------------------------------------

    def subscription(self, customer_id: int) -> tuple[int, str]:
        self.step = 2
        hosting = self.hosting
        name = hosting.domain
        product = hosting.product
        plan = {"plan_guid": product.plan_guid} if product.plan_guid else {"plan_name": product.plan_name}
        try:
            ref = self.call(
                "webspace_add",
                lambda: self.client.add_webspace(name, owner_id=customer_id, external_id=self.external_id, **plan),
                changes=True,
            )
        except (errors.PleskAlreadyExists, errors.PleskOutcomeUnknown) as error:
            found = self.find_subscription()
            if found is not None:
                self.timeline.add(Kind.CALL, note("adopted_subscription", name=name))
                return found.id, found.name
            if isinstance(error, errors.PleskAlreadyExists):
                raise Permanent("domain_taken", name=name) from error
            raise Transient("subscription_unconfirmed") from error
        return ref.id, name


class _Removal(_Steps):
    """A cancellation attempt: remove on Plesk what provisioning created, and nothing else.

    First the subscription with this hosting's external id, which only its own job ever gives. Then the
    end customer's Plesk customer (by our external id), but only when a job of the portal created it
    (``created_plesk_customer`` on a hosting of the customer on this server), no other hosting of the
    customer but cancelled ones may use it, and it has no subscription left on the server; otherwise it
    stays and the timeline says why. Each removal looks before it removes and takes "does not exist" for
    done, so a second run, or one after a crash in the middle, goes on where the other stopped.

    Between the check and the removal a new hosting of the same customer may find the Plesk customer and
    lose it: its job then fails in plain words, and its retry creates a new one.
    """

    def act(self) -> None:
        self.remove_subscription()
        self.remove_customer()

    def refused(self, text: str, code: int = 0) -> Permanent:
        return Permanent("removal_refused", text=text)

    def remove_subscription(self) -> None:
        found = self.find_subscription()
        if found is None:
            return
        try:
            self.call("webspace_del", lambda: self.client.delete_webspace(id=found.id), changes=True, absent_ok=True)
        except errors.PleskOutcomeUnknown as error:
            if self.find_subscription() is not None:
                raise Transient("subscription_removal_unconfirmed") from error

    def find_customer_and_subscriptions(self):
        """The end customer's Plesk customer by our external id, and every subscription it has on the server."""

        def read():
            customers, webspaces = self.client.send(
                [
                    ops.get_customers(external_ids=[self.customer_external_id]),
                    ops.get_webspaces(owner_external_ids=[self.customer_external_id], hosting=False),
                ]
            )
            found = customers.unwrap()
            return (found[0], webspaces.unwrap()) if found else (None, [])

        return self.call("removal_lookup", read)

    def remove_customer(self) -> None:
        customer, webspaces = self.find_customer_and_subscriptions()
        if customer is None:
            return
        kept = self.kept_because(webspaces)
        if kept:
            self.timeline.add(Kind.CALL, note("customer_kept", login=customer.login, why=note(kept)))
            return
        try:
            self.call("customer_del", lambda: self.client.delete_customer(id=customer.id), changes=True, absent_ok=True)
        except errors.PleskOutcomeUnknown as error:
            if self.find_customer_and_subscriptions()[0] is not None:
                raise Transient("customer_removal_unconfirmed") from error

    def kept_because(self, webspaces) -> str:
        """Why the Plesk customer must stay (a code of ``hosting.messages``), or ``""``."""
        hosting = self.hosting
        # unrestricted: the job; the hostings of the same end customer (of this account) on this server
        customers_hostings = ResellerHosting.objects.filter(
            end_customer=hosting.end_customer_id, contract__hosting_server=hosting.contract.hosting_server_id
        )
        if not customers_hostings.filter(created_plesk_customer=True).exists():
            return "not_created_by_portal"
        if customers_hostings.exclude(pk=hosting.pk).exclude(status__in=ResellerHosting.ENDED_STATUSES).exists():
            return "used_by_other_hostings"
        if webspaces:
            return "has_subscriptions"
        return ""


class _Deletion(_Removal):
    """Kündigen / Löschen of a hosting on the server: like a cancellation, but its subscription is the one the
    hosting has (by id: Plesk never gives an id twice), also when the hosting was linked to a subscription the
    portal did not create. The Plesk customer goes on the same conditions as in a cancellation."""

    def find_subscription(self):
        subscription_id = self.hosting.subscription_id
        found = self.call("find_subscription", lambda: self.client.get_webspaces(ids=[subscription_id], hosting=False))
        return found[0] if found else None


class _StatusChange(_Steps):
    """Sperren / Entsperren: the subscription's status, then its Plesk customer's (the customer's login).

    Each change looks at the server first and is only sent when the status is not as wanted yet; an unknown
    outcome is read back, never sent blind again. The reseller's own suspension is status 32 (Plesk lets a
    reseller set no other); a subscription suspended otherwise (by the provider, 16) counts as suspended.
    """

    suspend = True

    def refused(self, text: str, code: int = 0) -> Permanent:
        return Permanent("lifecycle_refused", text=text)

    def read(self):
        """The hosting's subscription (or ``None``), its Plesk customer (or ``None``) and the customer's
        subscriptions, in one round trip."""
        subscription_id = self.hosting.subscription_id

        def read():
            webspaces = ops.get_webspaces(ids=[subscription_id], hosting=False)
            customer_id = self.hosting.plesk_customer_id
            if not customer_id:
                return (self.client.call(webspaces) or [None])[0], None, []
            found, customers, owned = self.client.send(
                [webspaces, ops.get_customers(ids=[customer_id]), ops.get_webspaces(owner_ids=[customer_id])]
            )
            customer = (customers.unwrap() or [None])[0]
            return (found.unwrap() or [None])[0], customer, owned.unwrap() if customer is not None else []

        return self.call("lifecycle_lookup", read)

    def wanted(self, status: int) -> bool:
        return status != 0 if self.suspend else status == 0

    def change(self, step: str, function: Callable[[], Any], done: Callable[[], bool]) -> None:
        try:
            self.call(step, function, changes=True)
        except errors.PleskOutcomeUnknown as error:
            if not done():
                raise Transient("status_unconfirmed") from error

    def act(self) -> None:
        webspace, customer, owned = self.read()
        if webspace is None:
            raise Permanent("missing")
        status = 32 if self.suspend else 0
        verb = "suspend" if self.suspend else "unsuspend"
        if not self.wanted(webspace.status):
            self.change(
                f"webspace_{verb}",
                lambda: self.client.set_webspace(id=webspace.id, status=status),
                lambda: self.wanted(self.read()[0].status),
            )
        if customer is None or self.wanted(customer.status):
            return
        if self.suspend and any(w.active for w in owned if w.id != webspace.id):
            # Its login is also the way into the customer's other subscriptions, which stay open.
            self.timeline.add(Kind.CALL, note("login_stays_active", login=customer.login))
            return
        self.change(
            f"customer_{verb}",
            lambda: self.client.set_customer(id=customer.id, status=status),
            lambda: self.wanted(self.read()[1].status),
        )


class _Unsuspension(_StatusChange):
    suspend = False


class _PlanChange(_Steps):
    """Tarif wechseln: the subscription moves to the plan of the hosting's ``target_product`` (same contract).

    The subscription and the plan are read in one round trip; the switch is only sent while the subscription
    is not on the plan yet, and an unknown outcome is read back. Plesk refuses a plan whose limits are below
    what the subscription uses (1023), or one the reseller's package has no room for (1024): nothing changes.
    """

    # Plesk's codes for "the usage does not fit the plan" and "the reseller's package has no room for it".
    USAGE_EXCEEDS_PLAN = 1023
    PACKAGE_EXCEEDED = 1024

    def refused(self, text: str, code: int = 0) -> Permanent:
        if code == self.USAGE_EXCEEDS_PLAN:
            return Permanent("plan_too_small", text=text)
        if code == self.PACKAGE_EXCEEDED:
            return Permanent("package_exceeded", text=text)
        return Permanent("lifecycle_refused", text=text)

    def read(self):
        """The hosting's subscription (or ``None``) and the GUID of the new plan (or ``""``)."""
        product = self.hosting.target_product
        subscription_id = self.hosting.subscription_id
        webspaces = ops.get_webspaces(ids=[subscription_id], hosting=False)

        def read():
            if product.plan_guid:
                return (self.client.call(webspaces) or [None])[0], product.plan_guid
            found, plans = self.client.send([webspaces, ops.get_service_plans(names=[product.plan_name])])
            try:
                plan_guids = [plan.guid for plan in plans.unwrap()]
            except errors.PleskNotFound:
                plan_guids = []
            return (found.unwrap() or [None])[0], (plan_guids or [""])[0]

        return self.call("plan_lookup", read)

    def act(self) -> None:
        webspace, plan_guid = self.read()
        if webspace is None:
            raise Permanent("missing")
        if not plan_guid:
            raise Permanent("plan_not_found", plan=self.hosting.target_product.plan_name)
        if webspace.plan_guid == plan_guid:
            return
        try:
            self.call(
                "webspace_switch",
                lambda: self.client.switch_webspace_plan(id=webspace.id, plan_guid=plan_guid),
                changes=True,
            )
        except errors.PleskOutcomeUnknown as error:
            found, _plan = self.read()
            if found is None or found.plan_guid != plan_guid:
                raise Transient("plan_change_unconfirmed") from error


class _Rename(_Steps):
    """Domain hinzufügen for a subscription an earlier version created with a technical name (a hosting space
    without a domain then): the subscription is renamed to the hosting's domain. It is read first and renamed only
    while it has another name; an unknown outcome is read back."""

    def refused(self, text: str, code: int = 0) -> Permanent:
        return Permanent("lifecycle_refused", text=text)

    def read(self):
        return self.call(
            "rename_lookup",
            lambda: (self.client.get_webspaces(ids=[self.hosting.subscription_id], hosting=False) or [None])[0],
        )

    def act(self) -> None:
        domain = self.hosting.domain
        webspace = self.read()
        if webspace is None:
            raise Permanent("missing")
        if webspace.name == domain:
            return
        try:
            self.call(
                "webspace_rename", lambda: self.client.set_webspace(id=webspace.id, new_name=domain), changes=True
            )
        except errors.PleskAlreadyExists as error:
            raise Permanent("domain_exists", name=domain) from error
        except errors.PleskOutcomeUnknown as error:
            found = self.read()
            if found is None or found.name != domain:
                raise Transient("rename_unconfirmed") from error


def _nothing(hosting: ResellerHosting) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Job:
    """A job other than setting up: its steps (``act()``), how its timeline ends and says why it failed, the
    status it ends in, the fields it sets on success (``clears(hosting)``) and those it puts back when it fails
    for good (``reverts(hosting)``)."""

    steps: type[_Steps]
    done: str
    kind: str
    failed: str
    login_refused: str
    ends: str
    clears: Callable[[ResellerHosting], dict[str, Any]]
    reverts: Callable[[ResellerHosting], dict[str, Any]] = _nothing


JOBS = {
    Status.CANCELLING: Job(
        _Removal, "cancelled", Kind.CANCELLED, "cancel_failed", "cancel_login_refused", Status.CANCELLED, _nothing
    ),
    Status.SUSPENDING: Job(
        _StatusChange,
        "suspended_done",
        Kind.SUCCEEDED,
        "suspend_failed",
        "lifecycle_login_refused",
        Status.SUSPENDED,
        _nothing,
    ),
    Status.UNSUSPENDING: Job(
        _Unsuspension,
        "unsuspended_done",
        Kind.SUCCEEDED,
        "unsuspend_failed",
        "lifecycle_login_refused",
        Status.ACTIVE,
        lambda hosting: {"suspension_reason": ""},
    ),
    Status.DELETING: Job(
        _Deletion, "deleted", Kind.DELETED, "delete_failed", "lifecycle_login_refused", Status.DELETED, _nothing
    ),
    Status.CHANGING_PLAN: Job(
        _PlanChange,
        "plan_changed",
        Kind.SUCCEEDED,
        "plan_change_failed",
        "lifecycle_login_refused",
        Status.ACTIVE,
        # The hosting is on the new product's plan now.
        lambda hosting: {"product": hosting.target_product, "target_product": None},
    ),
    Status.ADDING_DOMAIN: Job(
        _Rename,
        "renamed_done",
        Kind.SUCCEEDED,
        "rename_failed",
        "lifecycle_login_refused",
        Status.ACTIVE,
        # The subscription has the domain's name now.
        lambda hosting: {"subscription_name": hosting.domain},
        # It keeps its technical name: the hosting has no domain, and the reseller may give it another one.
        lambda hosting: {"domain": ""},
    ),
}


# --- the safety net ----------------------------------------------------------------------------------

# A job never started after this long lost its enqueue (REL-05).
ENQUEUE_GRACE = timedelta(seconds=60)


def stranded(*, now: datetime | None = None, grace: timedelta = ENQUEUE_GRACE):
    """Hostings with a job (*provisioning*, *cancelling*) that no live worker holds and that are due: an expired
    lease (a worker died, REL-04), a retry that is due, or a job that never started although queued ``grace``
    ago."""
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    started_or_old = Q(claimed_until__isnull=False) | Q(next_attempt_at__isnull=False) | Q(created_at__lte=now - grace)
    # unrestricted: the sweep, for the system
    return ResellerHosting.objects.filter(
        free & due & started_or_old, status__in=ResellerHosting.JOB_STATUSES
    ).order_by("pk")


def resume_paused() -> list[int]:
    """Put paused hostings whose contract's login is no longer marked refused back into provisioning."""
    ids = list(
        # unrestricted: the sweep, for the system
        ResellerHosting.objects.filter(status=Status.PAUSED, contract__plesk_login_refused_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    resumed = []
    for hosting_id in ids:
        with transaction.atomic():
            # unrestricted: the sweep, for the system
            changed = ResellerHosting.objects.filter(pk=hosting_id, status=Status.PAUSED).update(
                status=Status.PROVISIONING, failure={}, next_attempt_at=None, claimed_until=None
            )
            if changed:
                add_event(hosting_id, Kind.QUEUED, note("queued_login_corrected"))
                resumed.append(hosting_id)
    return resumed


def sweep(*, now: datetime | None = None, grace: timedelta = ENQUEUE_GRACE) -> list[int]:
    """Resume paused hostings whose login was corrected, and enqueue every stranded hosting again.

    A hosting whose task still waits in the queue is left alone, so a long
    queue does not grow with every sweep; a task that a dead worker was
    running, or one that was lost, is replaced. A duplicate is harmless anyway:
    the lease lets only one worker act.
    """
    from hosting.tasks import enqueue_provisioning, waiting_in_queue

    resumed = resume_paused()
    candidates = stranded(now=now, grace=grace).exclude(pk__in=resumed).values_list("pk", "task_id")
    ids = sorted([*resumed, *(pk for pk, task_id in candidates if not waiting_in_queue(task_id))])
    for hosting_id in ids:
        enqueue_provisioning(hosting_id)
    return ids
