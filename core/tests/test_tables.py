"""What a list shows: escaped cells, sort links, pages with their summary, buttons and selection by role."""

import re

import django_tables2 as tables
import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils.html import format_html

from conftest import login, make_customer
from core.navigation import menu_for
from core.roles import Role
from core.tables import DateTimeColumn, LinkActionsColumn, ObjectTable, RowLink
from core.tenancy import DELETE
from customers.models import EndCustomer

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & {0} {}'


def tbody(html: str) -> str:
    return html.split("<tbody", 1)[1].split("</tbody>", 1)[0]


def thead(html: str) -> str:
    return html.split("<thead", 1)[1].split("</thead>", 1)[0]


def customer_list(world, role=Role.OWNER, query="", language=None) -> str:
    client = login(Client(), world.r1.user(role))
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/customers/{query}")
    assert response.status_code == 200
    return response.content.decode()


class TestCells:
    def test_every_value_is_escaped(self, world):
        make_customer(world.r1.account, "R1-3", last_name=HOSTILE, company=HOSTILE)
        body = tbody(customer_list(world))
        assert "<script>" not in body
        assert body.count("&lt;script&gt;alert(") == 2
        assert "&amp; {0} {}" in body

    def test_the_customer_number_links_to_the_customer(self, world):
        customer = world.r1.customer
        assert f'<a href="/customers/{customer.pk}/">{customer.number}</a>' in tbody(customer_list(world))

    def test_an_empty_list_says_so(self, world):
        html = customer_list(world, query="?q=nobody-is-called-like-this")
        assert "No entries found." in tbody(html)


class TestSortLinks:
    def test_every_sortable_column_links_to_its_sort_keeping_the_filter(self, world):
        head = thead(customer_list(world, query="?q=R1"))
        # The list is sorted by number: its link sorts the other way.
        assert '<a href="?q=R1&amp;sort=-number">Customer number</a>' in head
        assert '<a href="?q=R1&amp;sort=last_name">Last name</a>' in head
        assert '<a href="?q=R1&amp;sort=product_count">Products</a>' in head
        assert "Actions" in head
        assert "sort=actions" not in head

    def test_a_sorted_list_shows_its_rows_in_that_order(self, world):
        make_customer(world.r1.account, "R1-0", last_name="Zander")
        body = tbody(customer_list(world, query="?sort=-last_name"))
        assert body.index("Zander") < body.index("ZZ-R1-MARKER Zweit")


class TestPages:
    @pytest.fixture
    def many(self, world):
        for index in range(30):
            make_customer(world.r1.account, f"R1-P{index:02d}")

    def test_the_summary_and_the_page_links(self, world, many):
        html = customer_list(world)
        assert "1 to 25 of 32 entries" in re.sub(r"\s+", " ", html)
        assert '<a class="page-link" href="?page=2">2</a>' in html
        assert '<a class="page-link" href="?page=2">Next</a>' in html
        assert "Previous" not in html
        html = customer_list(world, query="?page=2&q=R1")
        assert "26 to 32 of 32 entries" in re.sub(r"\s+", " ", html)
        assert '<a class="page-link" href="?page=1&amp;q=R1">Previous</a>' in html

    def test_the_summary_speaks_german(self, world, many):
        html = customer_list(world, language="de")
        assert "1 bis 25 von 32 Einträgen" in re.sub(r"\s+", " ", html)
        assert ">Weiter</a>" in html


class TestButtonsByRole:
    def test_an_owner_may_select_and_delete_customers_without_products_or_users(self, world):
        plain, tied = world.r1.plain_customer, world.r1.customer  # tied has a portal user
        body = tbody(customer_list(world))
        assert f'href="/customers/{plain.pk}/delete/"' in body
        assert f'href="/customers/{tied.pk}/delete/"' not in body
        assert f'href="/customers/{tied.pk}/"' in body  # its details button
        assert f'name="selection" value="{plain.pk}"' in body

    def test_an_employee_sees_details_only(self, world):
        body = tbody(customer_list(world, Role.EMPLOYEE))
        assert f'href="/customers/{world.r1.plain_customer.pk}/"' in body
        assert "/delete/" not in body
        assert 'name="selection"' not in body

    def test_the_button_labels_are_escaped(self, world):
        table = SampleTable(EndCustomer.objects.with_counts().restrict(world.r1.actor()), actor=world.r1.actor())
        html = rendered(table, "core/table.html")
        assert 'title="&lt;script&gt;alert(' in html
        assert "<script>" not in html


class SampleTable(ObjectTable):
    """Most of what django-tables2 offers a cell."""

    selection = tables.CheckBoxColumn(accessor="pk", attrs={"input": {"form": "bulk-form"}})
    number = tables.Column(linkify=("customers:endcustomer_detail", [tables.A("pk")]), attrs={"a": {"class": "x"}})
    by_model = tables.Column(accessor="last_name", linkify=True)
    country = tables.Column()
    company = tables.Column(default="none given")
    first_name = tables.Column(attrs={"td": {"data-name": lambda record: record.first_name}})
    created_at = DateTimeColumn()
    shouted = tables.Column(accessor="last_name")
    products = tables.Column(accessor="product_count", localize=False)
    actions = LinkActionsColumn(
        RowLink("customers:endcustomer_detail", HOSTILE, "search"),
        RowLink("customers:endcustomer_delete", "Delete", "trash", "danger", permission=DELETE),
    )

    class Meta(ObjectTable.Meta):
        model = EndCustomer
        fields = ()
        order_by = ("number",)

    def render_shouted(self, value):
        return format_html("<b>{}</b>", value.upper())


def rendered(table, template_name) -> str:
    request = RequestFactory().get("/customers/")
    table.template_name = template_name
    return Template("{% load django_tables2 %}{% render_table table %}").render(
        Context({"table": table, "request": request})
    )


def test_a_cell_shows_its_columns_default_markup_and_attributes_escaped(world):
    make_customer(world.r1.account, "R1-3", last_name="Hartmann", first_name=HOSTILE, company="")
    queryset = EndCustomer.objects.with_counts().restrict(world.r1.actor())
    body = tbody(rendered(SampleTable(queryset, actor=world.r1.actor()), "core/table.html"))
    assert "none given" in body
    assert "<b>HARTMANN</b>" in body
    assert 'data-name="&lt;script&gt;' in body
    assert "<script>" not in body


def test_the_sidebar_marks_the_current_page_only(world):
    request = RequestFactory().get("/customers/")
    request.resolver_match = None
    actor = world.r1.actor()
    html = Template("{% load navigation %}{% sidebar_menu %}").render(
        Context({"request": request, "menu": menu_for(actor)})
    )
    assert html.count(" active") == 1
    assert '<a class="nav-link active" href="/customers/">' in html
    assert 'href="/customers/todos/"' in html
