"""Generic views: list, detail, add/edit, delete and detail tab.

App views declare model, table, filterset and form; everything that touches
tenant data goes through the access helper (``core.access``) here. A member
whose role is too low gets 403; an object outside the actor's account gets
the same 404 as one that does not exist.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.forms.renderers import DjangoTemplates
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import generic
from django_filters.views import FilterMixin
from django_tables2 import SingleTableMixin

from core import exports
from core.access import access_queryset, require_action
from core.tables import PageAnnotatedQuerysetData
from core.tabs import Tabs
from core.tenancy import ADD, CHANGE, DELETE, VIEW

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25


def once_per_process(get_base_queryset):
    """For a ``get_base_queryset`` that depends on nothing of the view or the request: build it once, return a
    clone each time.

    The queryset is built on first use, after every app is ready; like a
    ListView's ``queryset`` attribute it is never evaluated itself.
    """
    built = None

    @functools.wraps(get_base_queryset)
    def wrapper(self):
        nonlocal built
        if built is None:
            built = get_base_queryset(self)
        return built.all()

    return wrapper


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


class FilterFormRenderer(DjangoTemplates):
    """Django's form renderer, but a select is written in Python, as Django's widget templates write it.

    Those templates include one template per option and one per attribute
    list, which made the filter form's two selects cost about a millisecond.
    """

    select_template = "django/forms/widgets/select.html"
    option_template = "django/forms/widgets/select_option.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name != self.select_template or not widget:
            return super().render(template_name, context, request)
        groups = widget["optgroups"]
        if any(option["template_name"] != self.option_template for _name, group, _index in groups for option in group):
            return super().render(template_name, context, request)
        text = Context()  # how {{ … }} writes a value, with a template's defaults
        html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for name, group, _index in groups:
            if name:
                html.append(f'\n  <optgroup label="{render_value_in_context(name, text)}">')
            html += [
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                f"{render_value_in_context(option['label'], text)}</option>\n"
                for option in group
            ]
            if name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return "".join(html)


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ``True`` writes the name alone, ``False`` nothing."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


FILTER_FORM_RENDERER = FilterFormRenderer()


class ObjectListView(ActorViewMixin, SingleTableMixin, FilterMixin, generic.ListView):
    """Sortable, filterable, searchable, paginated list with exports (``?export=csv``)."""

    template_name = "core/object_list.html"
    filterset_class = None
    add_url_name = None
    title = None
    # For querysets with costly per-row annotations (correlated subqueries): a page's rows are chosen
    # first and only they are annotated, at the price of one more query per page.
    annotate_page_only = False

    def get_title(self):
        return self.title or capfirst(self.model._meta.verbose_name_plural)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        filterset.form.renderer = FILTER_FORM_RENDERER  # django-filter builds the form without a renderer argument
        return filterset

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

    def get_table_data(self):
        data = super().get_table_data()
        return PageAnnotatedQuerysetData(data) if self.annotate_page_only else data

    def get_table_kwargs(self):
        return {"request": self.request}

    def ordered_export_queryset(self):
        # No request: this table only sorts, it never pages (which would cost a COUNT).
        kwargs = {key: value for key, value in self.get_table_kwargs().items() if key != "request"}
        table = self.get_table_class()(self.object_list, **kwargs)
        sort = self.request.GET.get("sort")
        if sort:
            table.order_by = sort
        return table.data.data

    def export_filename(self) -> str:
        return str(self.get_title()).lower().replace(" ", "-")

    def export(self, fmt: str):
        table_class = self.get_table_class()
        kwargs = self.get_table_kwargs()
        if fmt in ("pdf", "print") and self.object_list.count() > exports.PAGED_ROW_LIMIT:
            # A paged document of that size helps nobody and ties up a worker for minutes.
            message = _("PDF and print hold at most %(limit)d rows. Narrow the filter, or export to CSV or Excel.")
            messages.warning(self.request, message % {"limit": exports.PAGED_ROW_LIMIT})
            query = self.request.GET.copy()
            query.pop("export", None)
            return HttpResponseRedirect(f"{self.request.path}?{query.urlencode()}")
        if fmt == "print":
            table = table_class(self.ordered_export_queryset(), **kwargs)
            return render(self.request, "core/object_print.html", {"table": table, "title": self.get_title()})
        if fmt not in exports.FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        header, rows = exports.export_rows(table_class, self.ordered_export_queryset(), kwargs)
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
        return {"request": self.request}


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
