"""Generic views: list, detail, add/edit, delete and detail tab.

App views declare model, table, filterset and form; everything that touches
tenant data goes through the access helper (``core.access``) here. A member
whose role is too low gets 403; an object outside the actor's account gets
the same 404 as one that does not exist.
"""

from __future__ import annotations

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
from core.access import access_queryset, require_action
from core.tabs import Tabs
from core.tenancy import ADD, CHANGE, DELETE, VIEW

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25


class ActorViewMixin:
    """A view acting inside the session's current account, on ``model``.

    Every object comes from ``get_queryset``: the model's rows the actor may
    ``action`` (``core.access.access_queryset``), which a view narrows or
    annotates in ``refine_queryset``. ``dispatch`` first requires the action
    itself, so a role that is too low gets 403 before anything is read.
    """

    model = None
    action = VIEW
    http_method_names = ["get", "post", "head"]

    def dispatch(self, request, *args, **kwargs):
        require_action(request.actor, self.model, self.get_action())
        return super().dispatch(request, *args, **kwargs)

    @property
    def actor(self):
        return self.request.actor

    def get_action(self) -> str:
        return self.action

    def refine_queryset(self, queryset):
        """``queryset`` (already restricted) with what this view needs: ``select_related``, annotations, filters."""
        return queryset

    def get_queryset(self):
        return self.refine_queryset(access_queryset(self.actor, self.model, self.get_action()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for action in (ADD, CHANGE, DELETE):
            context[f"perms_{action}"] = self.actor.may(self.model, action)
        return context


class ObjectListView(ActorViewMixin, SingleTableMixin, FilterMixin, generic.ListView):
    """Sortable, filterable, searchable, paginated list with exports (``?export=csv``)."""

    template_name = "core/object_list.html"
    filterset_class = None
    add_url_name = None
    title = None

    def get_title(self):
        return self.title or capfirst(self.model._meta.verbose_name_plural)

    def get(self, request, *args, **kwargs):
        filterset_class = self.get_filterset_class()
        self.filterset = self.get_filterset(filterset_class)
        if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
            self.object_list = self.filterset.qs
        else:
            self.object_list = self.filterset.queryset.none()
        export = request.GET.get("export")
        if export:
            return self.export(export)
        return self.render_to_response(self.get_context_data(filter=self.filterset, object_list=self.object_list))

    def get_table_pagination(self, table):
        try:
            per_page = int(self.request.GET.get("per_page", DEFAULT_PER_PAGE))
        except ValueError:
            per_page = DEFAULT_PER_PAGE
        return {"per_page": per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE}

    def get_table_kwargs(self):
        return {"request": self.request, "actor": self.actor}

    def export_table_kwargs(self) -> dict:
        """The table's arguments without the request, which would page it, and with the list's sort."""
        kwargs = {key: value for key, value in self.get_table_kwargs().items() if key != "request"}
        sort = self.request.GET.get("sort")
        if sort:
            kwargs["order_by"] = sort
        return kwargs

    def export_filename(self) -> str:
        return str(self.get_title()).lower().replace(" ", "-")

    def export(self, fmt: str):
        table_class = self.get_table_class()
        kwargs = self.export_table_kwargs()
        if fmt in ("pdf", "print") and self.object_list.count() > exports.PAGED_ROW_LIMIT:
            # A paged document of that size helps nobody and ties up a worker for minutes.
            message = _("PDF and print hold at most %(limit)d rows. Narrow the filter, or export to CSV or Excel.")
            messages.warning(self.request, message % {"limit": exports.PAGED_ROW_LIMIT})
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

    def acting_note(self) -> str:
        """Names the acting person on paper when a provider works through service access."""
        grant = self.actor.grant
        if grant is None:
            return ""
        message = _("Exported by %(user)s (%(provider)s) working in %(account)s through service access.")
        return message % {
            "user": self.actor.user.display_name,
            "provider": grant.account,
            "account": self.actor.account,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.get_title(),
            per_page_choices=PER_PAGE_CHOICES,
            add_url=reverse(self.add_url_name) if self.add_url_name and self.actor.may(self.model, ADD) else None,
            export_formats=[
                ("copy", _("Copy")),
                ("csv", "CSV"),
                ("xlsx", _("Excel")),
                ("pdf", "PDF"),
                ("print", _("Print")),
            ],
        )
        return context


class ObjectDetailView(ActorViewMixin, generic.DetailView):
    tabs: Tabs | None = None
    active_tab = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tabs"] = self.tabs.for_object(self.actor, self.object) if self.tabs else []
        context["active_tab"] = self.active_tab
        return context


class ObjectTabView(SingleTableMixin, ObjectDetailView):
    """A detail tab that lists the object's children in a table.

    ``get_child_queryset`` must return a restricted queryset.
    """

    template_name = "core/object_tab.html"

    def get_child_queryset(self):
        raise ImproperlyConfigured(f"{type(self).__name__} must define get_child_queryset().")

    def get_table_data(self):
        return self.get_child_queryset()

    def get_table_kwargs(self):
        return {"request": self.request, "actor": self.actor}


class ObjectEditView(
    ActorViewMixin,
    generic.detail.SingleObjectTemplateResponseMixin,
    generic.edit.ModelFormMixin,
    generic.edit.ProcessFormView,
):
    """Add (no ``pk`` in the URL) and edit in one view.

    Every write is a service's: views implement ``save_form`` by calling theirs
    (which checks, audits and commits), so this view never writes itself.
    """

    template_name = "core/object_edit.html"

    def get_action(self) -> str:
        return CHANGE if "pk" in self.kwargs else ADD

    def get_object(self, queryset=None):
        if "pk" not in self.kwargs:
            return None
        return super().get_object(queryset)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.actor
        return kwargs

    def save_form(self, form):
        """Create or change ``form.instance`` through the app's service and return the saved object."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define save_form() to call its service.")

    def form_valid(self, form):
        try:
            self.object = self.save_form(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = (
            _("Edit %(object)s") % {"object": self.object}
            if self.object
            else _("Add %(model)s") % {"model": self.model._meta.verbose_name}
        )
        return context


class ObjectDeleteView(ActorViewMixin, generic.DetailView):
    """Confirmation page on GET, deletion on POST through the app's service (``perform_delete``)."""

    template_name = "core/object_delete.html"
    success_url_name = None
    action = DELETE

    def perform_delete(self, obj) -> None:
        """Delete ``obj`` through the app's service; a ``ValidationError`` says why it may not go."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define perform_delete() to call its service.")

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            self.perform_delete(obj)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.path)
        messages.success(request, _("Deleted: %(object)s") % {"object": obj})
        return HttpResponseRedirect(self.get_success_url(obj))

    def get_success_url(self, obj) -> str:
        return reverse(self.success_url_name)
