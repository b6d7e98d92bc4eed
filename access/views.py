from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from access import services
from access.filters import ServiceAccessFilterSet
from access.forms import ActivationForm
from access.models import SWITCH_IN, ServiceAccess
from access.tables import ServiceAccessTable
from audit.models import AuditEntry
from audit.services import record_refusal
from core.access import access_object, require_account, require_action
from core.http import page_methods
from core.tenancy import ADD, CHANGE
from core.views import ObjectListView


class ServiceAccessListView(ObjectListView):
    model = ServiceAccess
    table_class = ServiceAccessTable
    filterset_class = ServiceAccessFilterSet
    template_name = "access/serviceaccess_list.html"
    title = gettext_lazy("Service accesses")

    def refine_queryset(self, queryset):
        # Partnerships are listed under Verwaltete Kunden (``partners``).
        return queryset.with_state().filter(revoked_at__isnull=True, via=ServiceAccess.Via.CODE)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "activation_form": ActivationForm()}


@page_methods
def activate_view(request):
    actor = request.actor
    require_action(actor, ServiceAccess, ADD)
    form = ActivationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.redeem(actor, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Service access to %(account)s is active.") % {"account": access.customer})
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("access:serviceaccess_list")
                return response
            return redirect("access:serviceaccess_list")
    template = "access/includes/activation_form.html" if request.htmx else "access/activate.html"
    return render(request, template, {"form": form})


@require_POST
def switch_in_view(request, pk):
    access = access_object(request.actor, ServiceAccess.objects.with_state(), pk, CHANGE)
    try:
        services.switch_in(request.actor, access, session=request.session)
    except ServiceAccess.DoesNotExist:
        record_refusal(request.actor, ServiceAccess, SWITCH_IN)
        raise Http404 from None
    return redirect("dashboard")


@require_POST
def switch_out_view(request):
    grant = request.actor.grant
    services.switch_out(request.actor, session=request.session)
    if grant is None:
        return redirect("dashboard")
    # Back to the list the switch started from.
    return redirect("partners:managed_list" if grant.is_partnership else "access:serviceaccess_list")


@page_methods
def code_view(request):
    """Profile → Service access: a new code on every view until access is granted."""
    actor = request.actor
    require_account(actor)
    own = services.own_active_access(actor)
    context = {
        "accesses": services.active_accesses(actor.account).select_related("account"),
        "own_access": own,
        "code": None if own else services.issue_code(actor),
        "entries": AuditEntry.objects.restrict(actor)
        .filter(service_access__isnull=False)
        .select_related("service_access")[:200],
    }
    response = render(request, "access/code.html", context)
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


@require_POST
def revoke_view(request, pk):
    actor = request.actor
    require_account(actor)
    access = get_object_or_404(services.active_accesses(actor.account), pk=pk)
    try:
        services.revoke(actor, access)
    except ServiceAccess.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The service access of %(provider)s has been ended.") % {"provider": access.account})
    return redirect("access:code")
