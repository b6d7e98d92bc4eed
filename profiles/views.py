"""The partner profile (edit page, public page, directory) and the inquiries (list, detail, "Kunde hinzufügen")."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from core import throttle
from core.access import access_object, access_queryset, require_action
from core.http import page_methods
from core.images import CONTENT_TYPES
from core.tabs import Actions
from core.tenancy import ADD, CHANGE, VIEW
from core.views import ObjectDetailView, ObjectListView, ObjectTabView
from customers.forms import EndCustomerForm
from customers.models import EndCustomer
from customers.views import CUSTOMER_TABS
from profiles import services
from profiles.filters import InquiryFilterSet, PartnerProfileFilterSet
from profiles.forms import InquiryAssignForm, InquiryForm, PartnerProfileForm
from profiles.models import Inquiry, PartnerProfile, published_profiles
from profiles.tables import CustomerInquiryTable, InquiryTable

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from core.http import ActorRequest

# Buttons on a public profile page that other apps add (``partners``: "Zugriff freigeben" for a logged-in
# customer). Each is an ``core.tabs.Action`` whose URL takes the profile's primary key and whose ``visible``
# gets the request's actor (anonymous for a visitor) and the profile.
PROFILE_ACTIONS = Actions()

DIRECTORY_PAGE_SIZE = 12
LOGO_MAX_AGE = 60 * 60


@page_methods
def profile_edit_view(request: ActorRequest) -> HttpResponse:
    """ "Partnerprofil": owners and administrators edit it, employees see it."""
    actor = request.actor
    require_action(actor, PartnerProfile, VIEW)
    profile = services.own_profile(actor)
    if not actor.may(PartnerProfile, CHANGE):
        if request.method == "POST":
            require_action(actor, PartnerProfile, CHANGE)
        return render(request, "profiles/partnerprofile_detail.html", {"profile": profile})
    instance = profile or PartnerProfile(
        account=actor.account, display_name=actor.account.name if actor.account else ""
    )
    form = PartnerProfileForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=instance,
        actor=actor,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_partner_profile(actor, form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your partner profile has been saved."))
            return redirect("profiles:profile_edit")
    return render(request, "profiles/partnerprofile_edit.html", {"form": form, "profile": profile})


@login_not_required
@require_safe
def directory_view(request: ActorRequest) -> HttpResponse:
    """The public partner directory: public profiles, searchable by name, service and city."""
    published = published_profiles().order_by("display_name", "pk")
    filterset = PartnerProfileFilterSet(request.GET or None, queryset=published)
    for field in filterset.form.fields.values():
        # Full-size fields on a page of its own, not the small ones of a list's toolbar.
        css = field.widget.attrs.get("class", "")
        field.widget.attrs["class"] = css.replace(" form-select-sm", "").replace(" form-control-sm", "")
    profiles = filterset.qs if filterset.is_bound and filterset.is_valid() else published
    page = Paginator(profiles, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "profiles/directory.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "title": _("Find a partner")},
    )


def _shown_profile(request: ActorRequest, slug: str) -> tuple[PartnerProfile, bool]:
    """The profile at ``slug`` and whether it is public; a member may preview their own account's unpublished
    profile. Anything else is the same 404 as an unknown address."""
    profile = published_profiles().select_related("account").filter(slug=slug).first()
    if profile is not None:
        return profile, True
    actor = request.actor
    if actor.has_account and actor.may(PartnerProfile, VIEW):
        own = PartnerProfile.objects.restrict(actor).select_related("account").filter(slug=slug).first()
        if own is not None:
            return own, False
    raise Http404


@login_not_required
@page_methods
def public_profile_view(request: ActorRequest, slug: str) -> HttpResponse:
    """A partner's public page with the inquiry form. A filled-in honeypot is dropped without a word."""
    profile, published = _shown_profile(request, slug)
    status = 200
    form = InquiryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not published:
            raise Http404
        if form.is_spam:
            return redirect("profiles:inquiry_sent", slug=profile.slug)
        if form.is_valid():
            try:
                services.send_inquiry(profile, form.instance, actor=request.actor)
            except throttle.TooManyAttempts as error:
                form.add_error(None, error.messages)
                status = 429
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("profiles:inquiry_sent", slug=profile.slug)
    context = {
        "profile": profile,
        "published": published,
        "form": form,
        "actions": PROFILE_ACTIONS.for_object(request.actor, profile),
        "title": profile.display_name,
    }
    return render(request, "profiles/public_profile.html", context, status=status)


@login_not_required
@require_safe
def inquiry_sent_view(request: ActorRequest, slug: str) -> HttpResponse:
    profile, _published = _shown_profile(request, slug)
    return render(request, "profiles/inquiry_sent.html", {"profile": profile, "title": _("Thank you")})


@login_not_required
@require_safe
def logo_view(request: ActorRequest, pk: int) -> FileResponse:
    """A profile's logo: for anyone while the profile is public, for the account's members always (preview).

    Only what ``core.images`` wrote is stored; it goes out as exactly that type, sandboxed (SECURITY-TESTS IV-03).
    """
    profile = published_profiles().filter(pk=pk).only("pk", "logo").first()
    if profile is None and request.actor.has_account and request.actor.may(PartnerProfile, VIEW):
        profile = PartnerProfile.objects.restrict(request.actor).filter(pk=pk).only("pk", "logo").first()
    name = profile.logo.name if profile is not None else None
    if profile is None or not name:
        raise Http404
    suffix = PurePosixPath(name).suffix
    if suffix not in CONTENT_TYPES:
        raise Http404
    try:
        handle = profile.logo.storage.open(name, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[suffix], filename=f"logo{suffix}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, public=True, max_age=LOGO_MAX_AGE)
    return response


class InquiryListView(ObjectListView):
    model = Inquiry
    table_class = InquiryTable
    filterset_class = InquiryFilterSet
    title = gettext_lazy("Inquiries")

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("end_customer")


class InquiryDetailView(ObjectDetailView):
    model = Inquiry
    template_name = "profiles/inquiry_detail.html"

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("end_customer")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_handle"] = self.actor.may(Inquiry, CHANGE)
        return context


def _inquiry(request: ActorRequest, pk: int, action: str = VIEW) -> Inquiry:
    return access_object(request.actor, Inquiry.objects.select_related("end_customer"), pk, action)


@page_methods
def inquiry_customer_view(request: ActorRequest, pk: int) -> HttpResponse:
    """ "Kunde hinzufügen": a new end customer pre-filled from the inquiry, or an existing one; either way the
    inquiry then belongs to that customer for good."""
    actor = request.actor
    inquiry = _inquiry(request, pk, CHANGE)
    if inquiry.end_customer_id is not None:
        messages.info(request, _("This inquiry already belongs to a customer."))
        return redirect(inquiry.get_absolute_url())
    mode = request.POST.get("mode") if request.method == "POST" else None
    may_create = actor.may(EndCustomer, ADD)
    new_form = EndCustomerForm(  # type: ignore[no-untyped-call]
        request.POST if mode == "new" else None, initial=inquiry.customer_prefill(), actor=actor, prefix="new"
    )
    assign_form = InquiryAssignForm(request.POST if mode == "existing" else None, actor=actor, prefix="existing")
    if mode == "new" and new_form.is_valid():
        try:
            customer = services.create_customer_from_inquiry(actor, inquiry, new_form.instance)
        except ValidationError as error:
            new_form.add_error(None, error)
        else:
            messages.success(request, _("The customer has been added. The inquiry now belongs to it."))
            return redirect(customer.get_absolute_url())  # type: ignore[no-untyped-call]
    if mode == "existing" and assign_form.is_valid():
        customer = assign_form.cleaned_data["end_customer"]
        try:
            services.assign_inquiry(actor, inquiry, customer)
        except ValidationError as error:
            assign_form.add_error(None, error)
        else:
            messages.success(request, _("The inquiry now belongs to %(customer)s.") % {"customer": customer})
            return redirect(customer.get_absolute_url())
    return render(
        request,
        "profiles/inquiry_customer.html",
        {
            "object": inquiry,
            "new_form": new_form if may_create else None,
            "assign_form": assign_form,
            "mode": mode or "new",
            "title": _("Add customer"),
        },
    )


@require_POST
def inquiry_status_view(request: ActorRequest, pk: int) -> HttpResponse:
    inquiry = _inquiry(request, pk, CHANGE)
    try:
        services.set_inquiry_status(request.actor, inquiry, request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect(inquiry.get_absolute_url())


class EndCustomerInquiriesView(ObjectTabView):
    """The customer's Anfragen tab: the inquiries that were turned into it or assigned to it."""

    model = EndCustomer
    tabs = CUSTOMER_TABS
    active_tab = "profiles:endcustomer_inquiries"
    table_class = CustomerInquiryTable
    template_name = "profiles/endcustomer_inquiries.html"

    def get_child_queryset(self) -> QuerySet[Any]:
        return access_queryset(self.actor, Inquiry).filter(end_customer=self.object)
