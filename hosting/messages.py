"""What a hosting's timeline, failure reason and server-check notes say: stored as a code with parameters,
worded in the reader's language when shown.

A message is ``{"code": ..., "params": {...}}`` (``note``). A parameter may be a message itself (the reason
inside "… Next attempt at …"), a list of messages (the notes of a server check), a step of the job
(``step``: what the job was doing, never the Plesk operation's name) or a domain name (``name``: shown in
Unicode, or "(no domain yet)"); any other parameter is shown as it is. ``text`` holds text that has no code:
rows written before the codes, and messages the job only receives as text (a refused host name).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.models import to_unicode

Message = dict[str, Any]

# Subscriptions created without a domain get a technical name under this (reserved) zone. Nobody reads it:
# pages, lists, exports and mails say "no domain yet" instead.
GENERATED_DOMAIN_SUFFIX = "hosting.invalid"


def is_generated_name(name: str) -> bool:
    return name.endswith("." + GENERATED_DOMAIN_SUFFIX)


def domain_in_text(name: str) -> str:
    """A subscription's name inside a sentence: in Unicode, or "(no domain yet)" for the technical name."""
    if not name or is_generated_name(name):
        return gettext("(no domain yet)")
    return to_unicode(name)


def note(code: str, /, **params: Any) -> Message:
    return {"code": code, "params": params}


# What the job was doing when a call had an outcome: how a reader names it (never the Plesk operation).
STEPS: dict[str, Promise] = {
    "lookup": _("Looking for the Plesk customer and the subscription"),
    "find_customer": _("Looking for the Plesk customer"),
    "find_subscription": _("Looking for the subscription"),
    "customer_add": _("Creating the Plesk customer"),
    "webspace_add": _("Creating the subscription"),
    "removal_lookup": _("Looking for the Plesk customer and its subscriptions"),
    "webspace_del": _("Removing the subscription"),
    "customer_del": _("Removing the Plesk customer"),
    "lifecycle_lookup": _("Looking for the subscription and the Plesk customer"),
    "webspace_suspend": _("Suspending the subscription"),
    "customer_suspend": _("Suspending the Plesk login"),
    "webspace_unsuspend": _("Unsuspending the subscription"),
    "customer_unsuspend": _("Unsuspending the Plesk login"),
    "plan_lookup": _("Looking for the subscription and the new plan"),
    "webspace_switch": _("Moving the subscription to the new plan"),
    "rename_lookup": _("Looking for the subscription"),
    "webspace_rename": _("Giving the subscription its domain"),
}

# A call that went through, by step.
DONE: dict[str, Promise] = {
    "lookup": _("Looked for the Plesk customer and the subscription on the server."),
    "find_customer": _("Looked for the Plesk customer on the server."),
    "find_subscription": _("Looked for the subscription on the server."),
    "customer_add": _("Plesk customer created."),
    "webspace_add": _("Subscription created."),
    "removal_lookup": _("Looked for the Plesk customer and its subscriptions on the server."),
    "webspace_del": _("Subscription removed."),
    "customer_del": _("Plesk customer removed."),
    "lifecycle_lookup": _("Looked for the subscription and the Plesk customer on the server."),
    "webspace_suspend": _("Subscription suspended."),
    "customer_suspend": _("Plesk login suspended."),
    "webspace_unsuspend": _("Subscription active again."),
    "customer_unsuspend": _("Plesk login active again."),
    "plan_lookup": _("Looked for the subscription and the new plan on the server."),
    "webspace_switch": _("Subscription moved to the new plan."),
    "rename_lookup": _("Looked for the subscription on the server."),
    "webspace_rename": _("Subscription renamed to its domain."),
}

# Every other outcome of a call.
OUTCOMES: dict[str, Promise] = {
    "login_refused": _("%(step)s: the Plesk login was refused."),
    "server_error": _("%(step)s: the server reported an error (HTTP %(status)s): %(text)s"),
    "exists": _("%(step)s: it exists already."),
    "gone": _("%(step)s: it was gone already."),
    "plesk_error": _("%(step)s: Plesk refused it (error %(code)s): %(text)s"),
    "certificate": _("%(step)s: the server's certificate is not trusted."),
    "unreachable": _("%(step)s: the server could not be reached."),
    "unknown": _("%(step)s: no usable answer, so the outcome is unknown."),
}

TEXTS: dict[str, Promise] = {
    # The timeline
    "queued": _("Queued."),
    "queued_retry": _("Queued again (retry)."),
    "queued_login_corrected": _("Queued again: the Plesk login was corrected."),
    "queued_corrected": _("Corrected and queued again."),
    "queued_cancel": _("Cancellation queued: what the portal created for it on the server is removed."),
    "queued_suspend": _("Suspension queued: %(reason)s"),
    "queued_unsuspend": _("Unsuspension queued."),
    "queued_delete": _("Deletion queued: the subscription and its data are removed from the server."),
    "started": _("Attempt %(n)s started."),
    "suspend_started": _("Suspension, attempt %(n)s started."),
    "unsuspend_started": _("Unsuspension, attempt %(n)s started."),
    "delete_started": _("Deletion, attempt %(n)s started."),
    "queued_plan_change": _("Move to the plan of %(product)s queued."),
    "plan_change_started": _("Plan change, attempt %(n)s started."),
    "rename_started": _("Adding the domain, attempt %(n)s started."),
    "renamed_done": _("The subscription has its domain now."),
    "rename_failed": _("Adding the domain failed: %(reason)s"),
    "domain_exists": _("The domain %(name)s already exists on the server."),
    "rename_unconfirmed": _("The Plesk server did not confirm the new name of the subscription."),
    "cancel_started": _("Cancellation, attempt %(n)s started."),
    "adopted_customer": _("Adopted the existing Plesk customer %(login)s."),
    "adopted_subscription": _("Adopted the existing subscription %(name)s."),
    "customer_kept": _("The Plesk customer %(login)s stays: %(why)s"),
    "succeeded": _("The subscription %(name)s is active."),
    "prepared": _("The Plesk login %(login)s is ready; the subscription is created when a domain is added."),
    "queued_domain": _("Domain %(name)s added: its subscription is being created."),
    "linked": _("Linked to the existing subscription %(name)s; nothing was changed on the server."),
    "cancelled": _("The hosting is cancelled."),
    "suspended_done": _("The hosting is suspended."),
    "unsuspended_done": _("The hosting is active again."),
    "deleted": _("The hosting is deleted."),
    "plan_changed": _("The hosting is on its new plan."),
    "login_stays_active": _("The Plesk login %(login)s stays active: the customer has other active subscriptions."),
    "mail_failed": _("The account summary e-mail could not be queued."),
    "retry_at": _("%(reason)s Next attempt at %(time)s."),
    "gave_up": _("%(reason)s Gave up after %(n)s attempts."),
    # Why the Plesk customer stays when a hosting is cancelled
    "not_created_by_portal": _("the portal did not create it."),
    "used_by_other_hostings": _("other hostings of the customer use it."),
    "has_subscriptions": _("it has other subscriptions on the server."),
    # Why an attempt failed
    "not_permitted": _("Not permitted: the customer, product and contract do not belong together."),
    "not_connected": _("The reseller contract is not connected to a Plesk server."),
    "server_error": _("The Plesk server reported an internal error."),
    "refused": _("Step %(step)s of 2: Plesk refused: %(text)s"),
    "certificate": _("The Plesk server's certificate is not trusted."),
    "unreachable": _("The Plesk server could not be reached."),
    "no_usable_answer": _("The Plesk server did not answer usably."),
    "login_taken": _("Step 1 of 2: the Plesk login %(login)s is taken by someone else."),
    "customer_unconfirmed": _("Step 1 of 2: the Plesk server did not confirm the new customer."),
    "domain_taken": _("Step 2 of 2: the domain %(name)s already exists on the server."),
    "subscription_unconfirmed": _("Step 2 of 2: the Plesk server did not confirm the new subscription."),
    "internal_error": _("An internal error occurred; the attempt will be repeated."),
    "paused": _(
        "Paused: the reseller's Plesk login was refused. Nothing is tried until the provider has corrected it; "
        "then the setup continues by itself."
    ),
    "cancel_failed": _("Cancelling failed: %(reason)s"),
    "cancel_login_refused": _(
        "The reseller's Plesk login was refused; cancel again once the provider has corrected it."
    ),
    "removal_refused": _("Plesk refused the removal: %(text)s"),
    "suspend_failed": _("Suspending failed: %(reason)s"),
    "unsuspend_failed": _("Unsuspending failed: %(reason)s"),
    "delete_failed": _("Deleting failed: %(reason)s"),
    "lifecycle_login_refused": _(
        "The reseller's Plesk login was refused; try again once the provider has corrected it."
    ),
    "lifecycle_refused": _("Plesk refused it: %(text)s"),
    "status_unconfirmed": _("The Plesk server did not confirm the new status."),
    "plan_change_failed": _("Changing the plan failed: %(reason)s"),
    "plan_too_small": _(
        "The hosting uses more than the new plan allows; free up space or choose a bigger plan. Plesk: %(text)s"
    ),
    "package_exceeded": _("The reseller's package on the server has no room for the new plan. Plesk: %(text)s"),
    "plan_not_found": _("The service plan %(plan)s does not exist on the server."),
    "plan_change_unconfirmed": _("The Plesk server did not confirm the move to the new plan."),
    "subscription_removal_unconfirmed": _("The Plesk server did not confirm the removal of the subscription."),
    "customer_removal_unconfirmed": _("The Plesk server did not confirm the removal of the Plesk customer."),
    # How the server differs (server check)
    "missing": _("The subscription no longer exists on the server."),
    "renamed": _("Renamed on the server to %(name)s."),
    "moved": _("Moved to another Plesk customer on the server."),
    "plan_differs": _("Uses the service plan %(plan)s on the server instead of %(expected)s."),
    "suspended": _("Suspended on the server."),
    "matches_again": _("Matches the server again."),
    "active_again": _("Active on the server again."),
}


def _param(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return render(value)
    if isinstance(value, list):
        return " ".join(render(item) for item in value)
    if key == "step" and value in STEPS:
        return STEPS[value]
    if key == "name":
        return domain_in_text(value)
    return value


def render(message: Message | None) -> str:
    """The message in the active language; ``""`` for none."""
    if not message:
        return ""
    code, params = message.get("code", ""), message.get("params") or {}
    values = {key: _param(key, value) for key, value in params.items()}
    if code == "call":
        if params.get("outcome") == "done":
            return str(DONE.get(params.get("step", ""), ""))
        return str(OUTCOMES[params["outcome"]]) % values
    if code == "notes":
        return values.get("notes", "")
    if code == "text":
        return str(params.get("text", ""))
    template = TEXTS.get(code)
    return str(template) % values if template is not None else ""
