import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contracts.models import to_idna, to_unicode
from core.crypto import EncryptedTextField
from core.network import validate_public_host
from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW, AccountOwnedModel
from hosting.messages import is_generated_name, render
from hosting.metrics import plesk_call_observed
from plesk import PleskClient

logger = logging.getLogger(__name__)


def validate_plesk_host(host: str) -> None:
    """Refuse hosts that point inside (loopback, private, link-local, …) unless allowed by settings."""
    validate_public_host(host, allow_private=settings.PLESK_ALLOW_PRIVATE_HOSTS)


# How long the reason for a suspension may be.
REASON_LENGTH = 200


def hosting_domain(value: str) -> str:
    """A hosting's domain as stored (IDNA, see ``contracts.models.to_idna``); ``""`` for none."""
    if not (value and value.strip()):
        return ""
    return to_idna(value)


class HostingServer(models.Model):
    """A Plesk server of the provider; maintained by operator staff only."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("host"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=8443)
    use_tls = models.BooleanField(_("HTTPS"), default=True, help_text=_("Plain HTTP only for the sandbox."))
    ca_bundle = models.TextField(_("CA certificates (PEM)"), blank=True)
    pinned_fingerprint = models.CharField(
        _("pinned certificate (SHA-256)"),
        max_length=128,
        blank=True,
        help_text=_("Instead of a CA: the SHA-256 fingerprint of the server's certificate."),
    )
    login = models.CharField(_("login"), max_length=100, blank=True)
    password = EncryptedTextField(_("password"), blank=True)
    secret_key = EncryptedTextField(_("secret key"), blank=True)
    is_sandbox = models.BooleanField(_("sandbox"), default=False, editable=False)
    credentials_refused_at = models.DateTimeField(
        _("login refused at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when Plesk refused the login; cleared by new credentials or a successful connection test."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("hosting server")
        verbose_name_plural = _("hosting servers")
        ordering = ["name"]

    def __str__(self):
        if self.is_sandbox and "sandbox" not in self.name.casefold():
            return f"{self.name} (Sandbox)"
        return self.name

    @property
    def origin(self) -> str:
        scheme = "https" if self.use_tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/enterprise/control/agent.php"

    def clean(self):
        super().clean()
        if not self.use_tls and not self.is_sandbox:
            raise ValidationError({"use_tls": _("Plesk servers are reached over HTTPS only.")})
        if not (self.secret_key or (self.login and self.password)):
            raise ValidationError(_("Give a secret key, or a login with its password."))
        validate_plesk_host(self.host)

    def client(
        self, *, login: str | None = None, password: str | None = None, retry_refused: bool = False, **options
    ) -> PleskClient:
        """A client for this server, as its admin or as ``login`` (a reseller's Plesk login).

        Once Plesk has refused the server's own credentials, they are not used
        again (Plesk bans an address after repeated failed logins, PX-07) until
        staff change them or, with ``retry_refused``, test the connection.
        """
        validate_plesk_host(self.host)
        if login:
            credentials = {"login": login, "password": password}
        else:
            if self.credentials_refused_at is not None and not retry_refused:
                raise ValidationError(
                    _("The server's login was refused; it is not tried again until the provider corrects it.")
                )
            credentials = (
                {"secret_key": self.secret_key} if self.secret_key else {"login": self.login, "password": self.password}
            )
            options.setdefault("on_auth_error", self._credentials_refused)
        options.setdefault("on_call", plesk_call_observed)
        return PleskClient(
            self.url,
            ca_bundle=self.ca_bundle or None,
            pinned_sha256=self.pinned_fingerprint or None,
            allow_insecure_http=not self.use_tls and self.is_sandbox,
            **credentials,
            **options,
        )

    def _credentials_refused(self, error) -> None:
        now = timezone.now()
        HostingServer.objects.filter(pk=self.pk, credentials_refused_at__isnull=True).update(credentials_refused_at=now)
        self.credentials_refused_at = now
        logger.warning("hosting server %s: Plesk refused its credentials; not used again until corrected", self.pk)


class ResellerHosting(AccountOwnedModel):
    """A hosting subscription on the Plesk server of a reseller contract (MKM-Hosting).

    Created by the provisioning job (``hosting.provisioning``) or linked to an
    existing subscription. The external ids are ours: the job finds its own
    Plesk objects again by them after an unknown outcome, so it never creates
    anything twice. A failed hosting, or one waiting for its next attempt, can be
    corrected and retried, or cancelled: the same job then removes on Plesk what
    provisioning created (``created_plesk_customer`` records the customer; the
    subscription carries this hosting's own external id), and a cancelled
    hosting no longer ties its customer.
    """

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", pgettext_lazy("hosting status", "provisioning")
        ACTIVE = "active", pgettext_lazy("hosting status", "active")
        FAILED = "failed", pgettext_lazy("hosting status", "failed")
        PAUSED = "paused", pgettext_lazy("hosting status", "paused")
        SUSPENDED = "suspended", pgettext_lazy("hosting status", "suspended")
        MISSING = "missing", pgettext_lazy("hosting status", "missing on the server")
        CANCELLING = "cancelling", pgettext_lazy("hosting status", "being cancelled")
        CANCELLED = "cancelled", pgettext_lazy("hosting status", "cancelled")
        SUSPENDING = "suspending", pgettext_lazy("hosting status", "being suspended")
        UNSUSPENDING = "unsuspending", pgettext_lazy("hosting status", "being unsuspended")
        DELETING = "deleting", pgettext_lazy("hosting status", "being deleted")
        DELETED = "deleted", pgettext_lazy("hosting status", "deleted")
        CHANGING_PLAN = "changing_plan", pgettext_lazy("hosting status", "being moved to another plan")
        # A hosting space made without a domain: the customer's Plesk login is there, the subscription is
        # created when a domain is added (the seed's "Bereichsressourcen erstellen" left unchecked).
        PREPARED = "prepared", pgettext_lazy("hosting status", "prepared, no domain yet")
        ADDING_DOMAIN = "adding_domain", pgettext_lazy("hosting status", "domain being added")

    # Nothing happens to these until someone acts (or the server changes).
    FINAL_STATUSES = (
        Status.ACTIVE,
        Status.PREPARED,
        Status.FAILED,
        Status.SUSPENDED,
        Status.MISSING,
        Status.CANCELLED,
        Status.DELETED,
    )
    # The lifecycle of a hosting that is on the server: each a job that ends in the second status, or, when it
    # fails for good, back in ``resume_status``.
    LIFECYCLE_JOBS = {
        Status.SUSPENDING: Status.SUSPENDED,
        Status.UNSUSPENDING: Status.ACTIVE,
        Status.DELETING: Status.DELETED,
        Status.CHANGING_PLAN: Status.ACTIVE,
        Status.ADDING_DOMAIN: Status.ACTIVE,
    }
    # A job works on these (``hosting.provisioning``): setting up, removing what was set up, or the lifecycle.
    JOB_STATUSES = (Status.PROVISIONING, Status.CANCELLING, *LIFECYCLE_JOBS)
    # On the server, or gone from it behind the portal's back: Kündigen / Löschen removes what is left.
    DELETABLE_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.MISSING)
    # No longer the customer's: they do not tie it and go when it goes.
    ENDED_STATUSES = (Status.CANCELLED, Status.DELETED)
    # Statuses the server check (``hosting.sync``) compares with the server.
    ON_SERVER_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.MISSING)

    end_customer = models.ForeignKey(
        "customers.EndCustomer", on_delete=models.PROTECT, related_name="hostings", verbose_name=_("customer")
    )
    product = models.ForeignKey(
        "products.ResellerProduct", on_delete=models.PROTECT, related_name="hostings", verbose_name=_("product")
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="hostings", verbose_name=_("reseller contract")
    )
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROVISIONING)
    send_summary = models.BooleanField(_("send space summary"), default=False)
    # When the summary went out: once, when the space was first ready (with or without its domain).
    summary_sent_at = models.DateTimeField(_("space summary sent"), null=True, blank=True, editable=False)
    customer_external_id = models.CharField(_("customer external id"), max_length=64, blank=True)
    external_id = models.CharField(_("subscription external id"), max_length=64, blank=True)
    plesk_customer_id = models.PositiveIntegerField(_("Plesk customer"), null=True, blank=True)
    plesk_customer_login = models.CharField(_("Plesk user"), max_length=60, blank=True)
    # Written by the job the moment Plesk confirmed it, before its next call: a cancellation removes only a Plesk
    # customer that a hosting's job created.
    created_plesk_customer = models.BooleanField(_("Plesk customer created by the portal"), default=False)
    subscription_id = models.PositiveIntegerField(_("subscription id"), null=True, blank=True)
    subscription_name = models.CharField(_("subscription"), max_length=253, blank=True)
    # Why it failed or waits (a message of ``hosting.messages``, worded when shown).
    failure = models.JSONField(_("reason"), default=dict, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # The last task enqueued for it: the sweep leaves a job alone while that task still waits in the queue.
    task_id = models.CharField(_("task"), max_length=64, blank=True, editable=False)
    linked = models.BooleanField(_("linked"), default=False)
    # How its subscription differs on the server: messages of ``hosting.messages``.
    drift_notes = models.JSONField(_("differences on the server"), default=list, blank=True)
    checked_at = models.DateTimeField(_("last checked on the server"), null=True, blank=True)
    # Why the reseller suspended it (shown to the reseller, never sent to Plesk).
    suspension_reason = models.CharField(_("reason for suspension"), max_length=REASON_LENGTH, blank=True)
    # Where a lifecycle job (``LIFECYCLE_JOBS``) leaves the hosting when it fails for good: where it started.
    resume_status = models.CharField(_("status before the job"), max_length=16, choices=Status.choices, blank=True)
    # While it is being moved to another plan (Tarif wechseln): the product whose plan it moves to.
    target_product = models.ForeignKey(
        "products.ResellerProduct",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new product"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    requires_partner = True
    # Employees work on hostings (DESIGN.md: suspend, unsuspend, change the plan); deleting one, which deletes the
    # customer's data on the server, needs what deleting a customer needs.
    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.EMPLOYEE, CHANGE: Role.EMPLOYEE, DELETE: Role.ADMIN}

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("reseller hosting")
        verbose_name_plural = _("reseller hostings")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["account", "status"]),
        ]

    def __str__(self):
        return to_unicode(self.domain_name) if self.domain_name else gettext("Hosting #%(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        return reverse("hosting:resellerhosting_detail", args=[self.pk])

    @property
    def domain_name(self) -> str:
        """The hosting's domain as stored (ASCII): its subscription's, else the one asked for; ``""`` while it has
        none (a subscription without a domain has a technical name nobody needs to read)."""
        if self.subscription_name and not is_generated_name(self.subscription_name):
            return self.subscription_name
        return self.domain

    @property
    def domain_punycode(self) -> str:
        """The stored (punycode) form of an internationalised domain, as secondary text; ``""`` for any other."""
        return self.domain_name if to_unicode(self.domain_name) != self.domain_name else ""

    @property
    def domain_label(self) -> str:
        """The domain in Unicode, or "no domain yet": for text that people read (exports, mails)."""
        return to_unicode(self.domain_name) if self.domain_name else gettext("no domain yet")

    @property
    def failure_reason(self) -> str:
        """Why it failed or waits, in the reader's language."""
        return render(self.failure)

    @property
    def drift(self) -> str:
        """How the server differs, in the reader's language; ``""`` when it matches."""
        return " ".join(render(item) for item in self.drift_notes)

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES

    @property
    def is_running(self) -> bool:
        """A job works on it: the page follows it until it is done."""
        return self.status in self.JOB_STATUSES

    @property
    def may_be_suspended(self) -> bool:
        return self.status == self.Status.ACTIVE and self.subscription_id is not None

    @property
    def may_be_unsuspended(self) -> bool:
        return self.status == self.Status.SUSPENDED and self.subscription_id is not None

    @property
    def may_change_plan(self) -> bool:
        return self.may_be_suspended

    @property
    def awaits_domain(self) -> bool:
        """A hosting space without a domain: Domain hinzufügen creates its subscription, or gives the one an
        earlier version made with a technical name its domain."""
        if self.status == self.Status.PREPARED:
            return True
        return (
            self.status == self.Status.ACTIVE
            and self.subscription_id is not None
            and is_generated_name(self.subscription_name)
        )

    @property
    def may_be_deleted(self) -> bool:
        return self.status in self.DELETABLE_STATUSES and self.subscription_id is not None

    @property
    def is_stuck(self) -> bool:
        """Failed, or waiting for its next attempt: it can be corrected and retried, or cancelled (the services
        decide for good, on the row)."""
        if self.status == self.Status.FAILED:
            return True
        return self.status == self.Status.PROVISIONING and bool(
            self.next_attempt_at and self.next_attempt_at > timezone.now()
        )


class ProvisioningEvent(models.Model):
    """One step of a hosting's timeline: queued, started, each Plesk call's outcome, the end."""

    class Kind(models.TextChoices):
        QUEUED = "queued", _("queued")
        STARTED = "started", _("started")
        CALL = "call", _("Plesk call")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        RETRY_SCHEDULED = "retry_scheduled", _("retry scheduled")
        PAUSED = "paused", _("paused")
        SERVER_CHECK = "server_check", _("server check")
        CANCELLED = "cancelled", _("cancelled")
        DELETED = "deleted", _("deleted")

    hosting = models.ForeignKey(ResellerHosting, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What happened, as a code with parameters (``hosting.messages``), worded in the reader's language.
    code = models.CharField(_("code"), max_length=40, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The text of a row written before the codes, which the migration could not map to one.
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        ordering = ["time", "pk"]
        verbose_name = _("provisioning event")
        verbose_name_plural = _("provisioning events")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text}"

    @property
    def text(self) -> str:
        """What happened, in the reader's language."""
        return render({"code": self.code, "params": self.params}) if self.code else self.message


class HostingPlan(AccountOwnedModel):
    """The portal's record of a reseller's own Plesk service plan (MKM → Hosting-Pläne).

    Written for every plan made in the portal (``created_in_portal``) and for a plan made on Plesk the first
    time the portal changes it, so every change has an object in the audit trail. Plesk stays the truth: the
    list reads the plans live. ``state`` is set before a call to Plesk and cleared when its outcome is known;
    a row left in a pending state (the worker died, or Plesk did not answer) is resolved by reading Plesk
    (``hosting.plans``), never by sending the change again. ``external_id`` is ours, so a plan whose ``add``
    timed out is found again instead of created twice.
    """

    class State(models.TextChoices):
        CREATING = "creating", pgettext_lazy("hosting plan state", "being created")
        READY = "ready", pgettext_lazy("hosting plan state", "ready")
        CHANGING = "changing", pgettext_lazy("hosting plan state", "being changed")
        DELETING = "deleting", pgettext_lazy("hosting plan state", "being deleted")

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="hosting_plans", verbose_name=_("hosting space")
    )
    name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    plesk_id = models.PositiveIntegerField(_("Plesk plan id"), null=True, blank=True)
    plesk_guid = models.CharField(_("Plesk plan GUID"), max_length=64, blank=True)
    # Plesk's limit names and units (bytes, counts; -1 unlimited), as last sent to or read from Plesk.
    limits = models.JSONField(_("limits"), default=dict, blank=True)
    created_in_portal = models.BooleanField(_("created in the portal"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.READY)
    # While ``state`` is pending: until when the request that set it may still be waiting for Plesk.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    requires_partner = True
    # Plans spend the reseller's package: its administrators decide them; employees see them (they sell them).
    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.ADMIN, CHANGE: Role.ADMIN, DELETE: Role.ADMIN}

    class Meta:
        ordering = ["contract", "name"]
        verbose_name = _("hosting plan")
        verbose_name_plural = _("hosting plans")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "plesk_id"], condition=Q(plesk_id__isnull=False), name="hostingplan_one_per_plan"
            ),
        ]

    def __str__(self):
        return self.name


class HostingUsage(models.Model):
    """What a hosting's subscription uses and may use, as the server check (``hosting.sync``) last read it from
    Plesk: pages show it without waiting for the server. Plesk's limit names and units (bytes, counts; -1
    unlimited), see ``hosting.usage``."""

    hosting = models.OneToOneField(
        ResellerHosting, on_delete=models.CASCADE, primary_key=True, related_name="usage", verbose_name=_("hosting")
    )
    read_at = models.DateTimeField(_("read from the server"))
    limits = models.JSONField(_("limits"), default=dict, blank=True)
    used = models.JSONField(_("used"), default=dict, blank=True)
    # The highest share of any bounded limit, in percent: the lists mark a hosting near its limits by it.
    peak_percent = models.PositiveSmallIntegerField(_("highest usage (%)"), default=0)

    class Meta:
        verbose_name = _("hosting usage")
        verbose_name_plural = _("hosting usages")

    def __str__(self):
        return f"{self.hosting_id}: {self.peak_percent} %"


class PackageUsage(models.Model):
    """The reseller's own package on a contract's server, as the server check last read it: its limits, what
    its subscriptions were given (the sum of their limits), what is left and what is used."""

    contract = models.OneToOneField(
        "contracts.Contract",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="package_usage",
        verbose_name=_("reseller contract"),
    )
    read_at = models.DateTimeField(_("read from the server"))
    limits = models.JSONField(_("limits"), default=dict, blank=True)
    allocated = models.JSONField(_("allocated"), default=dict, blank=True)
    remaining = models.JSONField(_("remaining"), default=dict, blank=True)
    used = models.JSONField(_("used"), default=dict, blank=True)

    class Meta:
        verbose_name = _("package usage")
        verbose_name_plural = _("package usages")

    def __str__(self):
        return str(self.contract_id)


class UsageWarningMail(models.Model):
    """The daily mail to a reseller about its hostings near their limits, once a day at most."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    day = models.DateField(_("day"))
    hostings = models.JSONField(_("hostings"), default=list)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("usage warning mail")
        verbose_name_plural = _("usage warning mails")
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="usagewarningmail_once_a_day")]

    def __str__(self):
        return f"{self.account_id} {self.day}"
