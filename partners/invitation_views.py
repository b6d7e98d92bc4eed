"""The partner invites: "Einen Kunden hinzufügen" under Verwaltete Kunden, the mail's link page, withdrawal, and
the partner's "Rechte bestätigt" after a customer granted other rights than asked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import SESSION_ACCOUNT_KEY, create_customer_account
from core.access import access_object, require_action
from core.http import ActorRequest, page_methods
from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from partners import invitations, services, views
from partners.forms import ScopeForm
from partners.invitation_forms import AccountNameForm, CustomerSignupForm, DeclineForm, PartnerInvitationForm
from partners.models import PartnerInvitation, Partnership
from users.auth import log_in
from users.backends import find_login_user


class ManagedCustomerListView(views.ManagedCustomerListView):
    """Verwaltete Kunden, with the owner's "Einen Kunden hinzufügen", the open invitations and the partnerships
    whose rights the partner has still to review."""

    template_name = "partners/managed_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor = self.actor
        to_review = invitations.partnerships_to_review(actor)
        context.update(
            may_invite=actor.may(PartnerInvitation, ADD),
            may_withdraw=actor.may(PartnerInvitation, DELETE),
            open_invitations=invitations.open_invitations(actor) if actor.may(PartnerInvitation, VIEW) else [],
            to_review=[
                (partnership, invitations.granted_products(partnership) if partnership.access.partial else None)
                for partnership in to_review
            ],
        )
        return context


@page_methods
def invitation_add_view(request: ActorRequest) -> HttpResponse:
    """Einen Kunden hinzufügen: only the partner's owner (its legal representative)."""
    actor = request.actor
    require_action(actor, PartnerInvitation, ADD)
    data = request.POST if request.method == "POST" else None
    form = PartnerInvitationForm(data, initial={"sender_email": invitations.default_sender(actor)})
    if request.method == "POST" and form.is_valid():
        invitations.invite_customer(actor, **form.cleaned_data)
        messages.success(request, _("The invitation has been sent to %(email)s.") % form.cleaned_data)
        return redirect("partners:managed_list")
    return render(request, "partners/invitation_form.html", {"form": form})


@require_POST
def invitation_withdraw_view(request: ActorRequest, pk: int) -> HttpResponse:
    invitation = access_object(request.actor, PartnerInvitation, pk, DELETE)
    try:
        invitations.withdraw_invitation(request.actor, invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email})
    return redirect("partners:managed_list")


@require_POST
def managed_rights_confirm_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Rechte bestätigt."""
    partnership = access_object(request.actor, Partnership.objects.filter(ended_at__isnull=True), pk, CHANGE)
    invitations.confirm_rights(request.actor, partnership)
    messages.success(
        request, _("You have confirmed the rights of %(customer)s.") % {"customer": partnership.customer_account}
    )
    return redirect("partners:managed_list")


@login_not_required
@page_methods
def invitation_answer_view(request: ActorRequest, token: str) -> HttpResponse:
    """The mail's link. Anyone may open it: a dead link says why; someone logged out logs in (and comes back) or
    creates a login and a customer account; the owner of the account they work in accepts, with the rights it
    chooses, or declines."""
    invitation = invitations.find_invitation(token)
    reason = invitations.closed_reason(invitation)
    if invitation is None or reason is not None:
        return render(
            request,
            "partners/invitation_closed.html",
            {"message": invitations.closed_message(invitation)},
            status=404 if invitation is None else 410,
        )
    action = request.POST.get("action") if request.method == "POST" else None
    decline = DeclineForm(request.POST if action == "decline" else None)
    if action == "decline" and decline.is_valid():
        return _decline(request, invitation, decline.cleaned_data["decline_message"])
    if not request.user.is_authenticated:
        return _logged_out(request, invitation, action, decline)
    return _logged_in(request, invitation, action, decline)


def _context(invitation: PartnerInvitation, **extra: Any) -> dict[str, Any]:
    return {"invitation": invitation, "partner": invitation.account, **extra}


def _decline(request: ActorRequest, invitation: PartnerInvitation, message: str) -> HttpResponse:
    actor = request.actor
    if actor.has_account:
        # In an account, only its owner answers for it; otherwise whoever holds the mail's link.
        services.require_customer_owner(actor)
    try:
        invitations.decline_invitation(actor, invitation, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("You have declined the invitation of %(partner)s.") % {"partner": invitation.account}
        )
    return redirect(request.path)


def _logged_out(
    request: ActorRequest, invitation: PartnerInvitation, action: str | None, decline: DeclineForm
) -> HttpResponse:
    login_url = f"{reverse('users:login')}?{urlencode({'next': request.path})}"
    has_login = find_login_user(invitation.email) is not None
    signup = None if has_login else CustomerSignupForm(request.POST if action == "signup" else None)
    if action == "signup" and signup is not None and signup.is_valid():
        data = signup.cleaned_data
        try:
            user = invitations.sign_up_customer(
                request.actor,
                invitation,
                account_name=data["account_name"],
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
            )
        except ValidationError as error:
            signup.add_error(None, error)
        else:
            log_in(request, user)
            messages.success(request, _("Your login and your customer account have been created."))
            return redirect(request.path)
    context = _context(invitation, login_url=login_url, has_login=has_login, signup=signup, decline=decline)
    return render(request, "partners/invitation_answer.html", context)


def _logged_in(
    request: ActorRequest, invitation: PartnerInvitation, action: str | None, decline: DeclineForm
) -> HttpResponse:
    actor = request.actor
    if not actor.has_account:
        # A login without an account: it makes one of its own first, and owns it.
        account_form = AccountNameForm(request.POST if action == "create_account" else None)
        if action == "create_account" and account_form.is_valid():
            account = create_customer_account(actor, name=account_form.cleaned_data["account_name"])
            request.session[SESSION_ACCOUNT_KEY] = account.pk
            messages.success(
                request, _("Your customer account %(number)s has been created.") % {"number": account.number}
            )
            return redirect(request.path)
        return render(request, "partners/invitation_answer.html", _context(invitation, account_form=account_form))
    if actor.account == invitation.account:
        return render(request, "partners/invitation_answer.html", _context(invitation, own_invitation=True), status=403)
    if not actor.has_role(Role.OWNER):
        if action is not None:
            services.require_customer_owner(actor)  # 403, audited
        return render(request, "partners/invitation_answer.html", _context(invitation, not_owner=True), status=403)
    categories = services.products_of(actor)
    form = ScopeForm(
        request.POST if action == "accept" else None,
        categories=categories,
        initial={"full": "1" if invitation.requested_full else "0"},
    )
    if action == "accept" and form.is_valid():
        try:
            partnership = invitations.accept_invitation(
                actor,
                invitation,
                full=form.cleaned_data["full"],
                rights=services.rights_from_form(categories, form.cleaned_data),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(partner)s is now your partner.") % {"partner": invitation.account})
            return redirect("partners:customer_partner_detail", pk=partnership.pk)
    return render(request, "partners/invitation_answer.html", _context(invitation, form=form, decline=decline))
