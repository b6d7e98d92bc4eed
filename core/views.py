"""Generic views: list, detail, add/edit, delete and detail tab.

App views declare model, table, filterset and form; everything that touches
tenant data goes through the access helper (``core.access``) here. A member
whose role is too low gets 403; an object outside the actor's account gets
the same 404 as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import generic
from django_filters.views import FilterMixin
from django_tables2 import SingleTableMixin

from core import exports
from core.access import access_queryset, refused_while_switched, require_action
from core.tabs import Tabs
from core.tenancy import ADD, CHANGE, DELETE, VIEW

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import BaseModelForm
    from django.http import HttpRequest, HttpResponse
    from django.http.response import HttpResponseBase
    from django.utils.functional import Promise
    from django_filters import FilterSet
    from django_stubs_ext import StrOrPromise

    from core.actor import Actor
    from core.http import ActorRequest
    from core.tenancy import TenantModel

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25


class ActorViewMixin(generic.base.ContextMixin, generic.View):
    """A view acting inside the session's current account, on ``model``.

    Every object comes from ``get_queryset``: the model's rows the actor may
    ``action`` (``core.access.access_queryset``), which a view narrows or
    annotates in ``refine_queryset``. ``dispatch`` first requires the action
    itself, so a role that is too low gets 403 before anything is read.
    """

    model: type[TenantModel]
    action = VIEW
    http_method_names: Sequence[str] = ["get", "post", "head"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        require_action(self.actor, self.model, self.get_action())
        return super().dispatch(request, *args, **kwargs)

    @property
    def actor(self) -> Actor:
        # ActorMiddleware gives every request its actor before any view runs.
        return cast("ActorRequest", self.request).actor

    def get_action(self) -> str:
        return self.action

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` (already restricted) with what this view needs: ``select_related``, annotations, filters."""
        return queryset

    def get_queryset(self) -> QuerySet[Any]:
        return self.refine_queryset(access_queryset(self.actor, self.model, self.get_action()))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for action in (ADD, CHANGE, DELETE):
            context[f"perms_{action}"] = self.actor.may(self.model, action)
        return context


class ObjectListView(ActorViewMixin, SingleTableMixin, FilterMixin, generic.ListView[Any]):
    """Sortable, filterable, searchable, paginated list with exports (``?export=csv``)."""

    template_name = "core/object_list.html"
    filterset_class: type[FilterSet] | None = None
    add_url_name: str | None = None
    title: Promise | str | None = None
    # Unlike ListView's, which may be None: every list is of a tenant model.
    model: type[TenantModel]
    filterset: FilterSet
    object_list: QuerySet[Any]

    def get_title(self) -> Promise | str:
        # Django sets verbose_name_plural when it creates the model class; django-stubs types it optional.
        return self.title or capfirst(self.model._meta.verbose_name_plural) or ""

    # An export streams (StreamingHttpResponse, FileResponse), which Django's View.dispatch passes on like
    # any response; django-stubs narrows ListView.get to HttpResponse.
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        filterset_class = self.get_filterset_class()
        # django-filter returns a class or raises ImproperlyConfigured; its stub says it may return None.
        self.filterset = self.get_filterset(filterset_class)  # type: ignore[arg-type]
        if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
            self.object_list = self.filterset.qs
        else:
            # FilterSet.__init__ always sets a queryset; django-filter's stub types the attribute optional.
            self.object_list = self.filterset.queryset.none()  # type: ignore[union-attr]
        export = request.GET.get("export")
        if export:
            return self.export(export)
        return self.render_to_response(self.get_context_data(filter=self.filterset, object_list=self.object_list))

    def get_table_pagination(self, table: Any) -> dict[str, int]:
        try:
            per_page = int(self.request.GET.get("per_page", DEFAULT_PER_PAGE))
        except ValueError:
            per_page = DEFAULT_PER_PAGE
        return {"per_page": per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE}

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"request": self.request, "actor": self.actor}

    def export_table_kwargs(self) -> dict[str, Any]:
        """The table's arguments without the request, which would page it, and with the list's sort."""
        kwargs = {key: value for key, value in self.get_table_kwargs().items() if key != "request"}
        sort = self.request.GET.get("sort")
        if sort:
            kwargs["order_by"] = sort
        return kwargs

    def export_filename(self) -> str:
        return str(self.get_title()).lower().replace(" ", "-")

    def export(self, fmt: str) -> HttpResponseBase:
        table_class = self.get_table_class()
        kwargs = {**self.export_table_kwargs(), "data_export": fmt in exports.DATA_FORMATS}
        refusal = None
        if fmt in ("pdf", "print") and self.object_list.count() > exports.PAGED_ROW_LIMIT:
            # A paged document of that size helps nobody and ties up a worker for minutes.
            message = _("PDF and print hold at most %(limit)d rows. Narrow the filter, or export to CSV or Excel.")
            refusal = message % {"limit": exports.PAGED_ROW_LIMIT}
        elif fmt == "xlsx":
            refusal = exports.xlsx_refusal(self.object_list)
        if refusal is not None:
            messages.warning(self.request, refusal)
            query = self.request.GET.copy()
            query.pop("export", None)
            return HttpResponseRedirect(f"{self.request.path}?{query.urlencode()}")
        if fmt == "print":
            table = table_class(self.object_list, **kwargs)
            return render(self.request, "core/object_print.html", {"table": table, "title": self.get_title()})
        if fmt not in exports.FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        header, rows = exports.export_rows(table_class, self.object_list, kwargs)
        name = self.export_filename()
        if fmt == "csv":
            return exports.csv_response(name, header, rows)
        if fmt == "copy":
            return exports.copy_response(header, rows)
        if fmt == "xlsx":
            return exports.xlsx_response(name, header, rows)
        return exports.pdf_response(name, str(self.get_title()), header, rows, note=self.acting_note())

    def offers_add(self) -> bool:
        """Whether the list shows its add button: only when the add page would let the actor in."""
        if self.add_url_name is None:
            return False
        if refused_while_switched(self.actor, self.add_url_name):
            return False
        return self.actor.may(self.model, ADD)

    def acting_note(self) -> str:
        """Names the acting person on paper when a provider works through service access."""
        grant = self.actor.grant
        user = self.actor.user
        if grant is None or user is None:
            return ""
        message = _("Exported by %(user)s (%(provider)s) working in %(account)s through service access.")
        return message % {
            "user": user.display_name,
            "provider": grant.account,
            "account": self.actor.account,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.get_title(),
            per_page_choices=PER_PAGE_CHOICES,
            add_url=reverse(self.add_url_name) if self.offers_add() else None,
            export_formats=[
                ("copy", _("Copy")),
                ("csv", "CSV"),
                ("xlsx", _("Excel")),
                ("pdf", "PDF"),
                ("print", _("Print")),
            ],
        )
        return context


class ObjectDetailView(ActorViewMixin, generic.DetailView[Any]):
    tabs: Tabs | None = None
    active_tab: str | None = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tabs"] = self.tabs.for_object(self.actor, self.object) if self.tabs else []
        context["active_tab"] = self.active_tab
        return context


class ObjectTabView(SingleTableMixin, ObjectDetailView):
    """A detail tab that lists the object's children in a table.

    ``get_child_queryset`` must return a restricted queryset.
    """

    template_name = "core/object_tab.html"

    def get_child_queryset(self) -> QuerySet[Any]:
        raise ImproperlyConfigured(f"{type(self).__name__} must define get_child_queryset().")

    def get_table_data(self) -> QuerySet[Any]:
        return self.get_child_queryset()

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"request": self.request, "actor": self.actor}


class ObjectEditView(
    ActorViewMixin,
    generic.detail.SingleObjectTemplateResponseMixin,
    generic.edit.ModelFormMixin[Any, Any],
    generic.edit.ProcessFormView,
):
    """Add (no ``pk`` in the URL) and edit in one view.

    Every write is a service's: views implement ``save_form`` by calling theirs
    (which checks, audits and commits), so this view never writes itself.
    """

    template_name = "core/object_edit.html"
    object: TenantModel | None
    # What the next page says after the write; "Saved." unless the view words it ("Sent to support.").
    success_message: StrOrPromise | None = None

    def get_action(self) -> str:
        return CHANGE if "pk" in self.kwargs else ADD

    def get_object(self, queryset: QuerySet[Any] | None = None) -> TenantModel | None:
        if "pk" not in self.kwargs:
            return None
        obj: TenantModel = super().get_object(queryset)
        return obj

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.actor
        return kwargs

    def save_form(self, form: BaseModelForm[Any]) -> TenantModel:
        """Create or change ``form.instance`` through the app's service and return the saved object."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define save_form() to call its service.")

    def form_valid(self, form: BaseModelForm[Any]) -> HttpResponse:
        try:
            self.object = self.save_form(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message or _("Saved."))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = (
            _("Edit %(object)s") % {"object": self.object}
            if self.object
            else _("Add %(model)s") % {"model": self.model._meta.verbose_name}
        )
        return context


class ObjectDeleteView(ActorViewMixin, generic.DetailView[Any]):
    """Confirmation page on GET, deletion on POST through the app's service (``perform_delete``)."""

    template_name = "core/object_delete.html"
    success_url_name: str | None = None
    action = DELETE

    def perform_delete(self, obj: TenantModel) -> None:
        """Delete ``obj`` through the app's service; a ``ValidationError`` says why it may not go."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define perform_delete() to call its service.")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        try:
            self.perform_delete(obj)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.path)
        messages.success(request, _("Deleted: %(object)s") % {"object": obj})
        return HttpResponseRedirect(self.get_success_url(obj))

    def get_success_url(self, obj: TenantModel) -> str:
        return reverse(self.success_url_name)
