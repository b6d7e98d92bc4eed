from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts import services
from accounts.filters import MembershipFilterSet
from accounts.forms import AccountSettingsForm, InvitationForm, MembershipForm
from accounts.models import Account, Invitation, Membership
from accounts.tables import MembershipTable
from audit.models import AuditEntry
from core.access import require_action
from core.dashboard import DASHBOARD
from core.http import page_methods
from core.tenancy import ADD, CHANGE
from core.views import ObjectDeleteView, ObjectEditView, ObjectListView
from users.auth import log_in
from users.backends import find_login_user
from users.forms import SignupForm

RECENT_ACTIVITY = 8


@require_safe
def dashboard_view(request):
    """The figures the apps register (``core.dashboard``) that the actor may see, and the latest activity."""
    actor = request.actor
    context = {}
    if actor.has_account:
        context = {
            "panels": DASHBOARD.for_actor(actor),
            "recent_activity": AuditEntry.objects.restrict(actor)[:RECENT_ACTIVITY],
        }
    return render(request, "accounts/dashboard.html", context)


@require_POST
def switch_view(request):
    try:
        account_id = int(request.POST.get("account", ""))
    except ValueError:
        raise Http404 from None
    request.actor = services.switch_account(request.actor, account_id, session=request.session)
    messages.success(request, _("You are now working in %(account)s.") % {"account": request.actor.account})
    return redirect("dashboard")


class MembershipListView(ObjectListView):
    model = Membership
    table_class = MembershipTable
    filterset_class = MembershipFilterSet
    add_url_name = "accounts:invitation_add"
    template_name = "accounts/membership_list.html"

    def refine_queryset(self, queryset):
        return queryset.select_related("user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitations"] = (
            Invitation.objects.restrict(self.actor, ADD).filter(accepted_at__isnull=True).order_by("-created_at")[:20]
        )
        return context


class MembershipEditView(ObjectEditView):
    model = Membership
    form_class = MembershipForm

    def refine_queryset(self, queryset):
        return queryset.select_related("user")

    def save_form(self, form):
        try:
            return services.change_member_role(self.actor, self.object, form.cleaned_data["role"])
        except PermissionDenied as error:
            raise ValidationError(str(error) or _("You may not change this member.")) from error

    def get_success_url(self):
        return reverse("accounts:membership_list")


class MembershipDeleteView(ObjectDeleteView):
    model = Membership
    success_url_name = "accounts:membership_list"

    def perform_delete(self, obj):
        try:
            services.remove_member(self.actor, obj)
        except PermissionDenied as error:
            raise ValidationError(str(error) or _("You may not remove this member.")) from error


@page_methods
def invitation_add_view(request):
    actor = request.actor
    require_action(actor, Invitation, ADD)
    form = InvitationForm(request.POST if request.method == "POST" else None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(actor, email=form.cleaned_data["email"], role=form.cleaned_data["role"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The invitation has been sent to %(email)s.") % form.cleaned_data)
            return redirect("accounts:membership_list")
    return render(request, "accounts/invitation_form.html", {"form": form})


@login_not_required
@page_methods
def invitation_accept_view(request, token):
    invitation = services.find_open_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    signup = None
    if user is None:
        if find_login_user(invitation.email) is not None:
            messages.info(request, _("Please log in to accept the invitation."))
            return redirect(f"{reverse('users:login')}?next={request.path}")
        signup = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if signup is not None:
            if not signup.is_valid():
                return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": signup})
            data = signup.cleaned_data
            user = services.sign_up_and_accept_invitation(
                request.actor,
                invitation,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
            )
            log_in(request, user)
        else:
            services.accept_invitation(request.actor, invitation)
        request.session[services.SESSION_ACCOUNT_KEY] = invitation.account_id
        messages.success(request, _("Welcome to %(account)s.") % {"account": invitation.account})
        return redirect("dashboard")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": signup})


@page_methods
def account_settings_view(request):
    actor = request.actor
    require_action(actor, Account, CHANGE)
    form = AccountSettingsForm(request.POST if request.method == "POST" else None, instance=actor.account)
    if request.method == "POST" and form.is_valid():
        services.update_account_settings(actor, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("accounts:settings")
    return render(request, "accounts/account_settings.html", {"form": form})
