import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from conftest import login, make_contract, make_customer, make_domain
from contracts import services
from contracts.forms import CUSTOMER_CHOICE_LIMIT
from contracts.models import Contract, Domain, ShopProduct, Status, to_idna, to_unicode
from core.actor import Actor
from core.roles import Role
from customers import services as customer_services
from customers.models import EndCustomer, PortalUser

pytestmark = pytest.mark.django_db

LIST = "/contracts/"
DOMAINS = "/contracts/domains/"


def assign_url(obj):
    prefix = "/contracts/domains/" if isinstance(obj, Domain) else "/contracts/"
    return f"{prefix}{obj.pk}/assign/"


def snapshot_of_assignments():
    return (
        list(Contract.objects.order_by("pk").values_list("pk", "end_customer_id")),
        list(Domain.objects.order_by("pk").values_list("pk", "end_customer_id")),
        AuditEntry.objects.exclude(action=AuditEntry.Action.DENIED).count(),
    )


class TestDomainNames:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("müller-bäckerei.de", "xn--mller-bckerei-hfb76a.de"),
            ("  Müller-Bäckerei.DE. ", "xn--mller-bckerei-hfb76a.de"),
            ("straße.de", "xn--strae-oqa.de"),  # IDNA 2008 keeps ß (IDNA 2003 made it "strasse")
            ("xn--mller-bckerei-hfb76a.de", "xn--mller-bckerei-hfb76a.de"),
            ("example.com", "example.com"),
        ],
    )
    def test_names_are_stored_as_idna(self, typed, stored):
        assert to_idna(typed) == stored

    @pytest.mark.parametrize(
        "bad", ["", "ohne-punkt", "zwei..punkte.de", "leer zeichen.de", "-minus.de", "a" * 64 + ".de"]
    )
    def test_invalid_names_are_refused(self, bad):
        with pytest.raises(ValidationError, match="valid domain name"):
            to_idna(bad)

    def test_a_domain_is_shown_in_unicode(self, world):
        domain = world.r1.domain
        assert domain.name == "xn--r1-domne-5za.de"
        assert domain.name_unicode == "r1-domäne.de" == str(domain) == to_unicode(domain.name)
        body = login(Client(), world.r1.employee).get(DOMAINS).content.decode()
        assert "r1-domäne.de" in body and "xn--" not in body
        body = login(Client(), world.r1.employee).get(f"{DOMAINS}{domain.pk}/").content.decode()
        assert "r1-domäne.de" in body and "xn--r1-domne-5za.de" in body  # the detail names both forms

    def test_a_domain_exists_once(self, world):
        duplicate = Domain(account=world.r2.account, number="d-2", name="R1-DOMÄNE.de", registrar="inwx")
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean(exclude=["account"])
        assert "name" in error.value.message_dict


class TestList:
    def test_every_member_sees_the_accounts_contracts_and_nothing_else(self, world):
        for user in (world.r1.employee, world.r1.admin, world.r1.owner):
            body = login(Client(), user).get(LIST).content.decode()
            assert "o20001" in body and "Webhosting Test" in body and "managed Webhosting" in body
            assert "o20002" not in body and "o20003" not in body

    def test_a_plain_provider_customer_sees_its_contracts_without_the_customer_column(self, world):
        response = login(Client(), world.c1.owner).get(LIST)
        body = response.content.decode()
        assert response.status_code == 200
        assert "o20003" in body and "o20001" not in body
        assert "bulk-form" not in body
        assert [c.name for c in response.context["table"].columns if c.visible] == [
            "number",
            "product",
            "area",
            "status",
            "actions",
        ]
        assert "assigned" not in response.context["filter"].form.fields
        assert "c1-domäne.de" in login(Client(), world.c1.owner).get(DOMAINS).content.decode()

    def test_search_and_filters(self, world):
        account = world.r1.account
        mail = ShopProduct.objects.create(name="Mailgateway IN incl.", area="E-Mail")
        make_contract(account, "o9001", shop_product=mail)
        make_contract(account, "o9002", shop_product=mail, status=Status.INACTIVE)
        services.assign_contract(world.r1.actor(), world.r1.contract, world.r1.plain_customer)
        client = login(Client(), world.r1.employee)

        def numbers(**query):
            response = client.get(LIST, query)
            return [row.number for row in response.context["table"].data]

        assert sorted(numbers()) == ["o20001", "o9001", "o9002"]
        assert sorted(numbers(q="mailgateway")) == ["o9001", "o9002"]
        assert sorted(numbers(q="R1-2")) == ["o20001"]  # the assigned customer's number
        assert sorted(numbers(area="E-Mail")) == ["o9001", "o9002"]
        assert numbers(status="inactive") == ["o9002"]
        assert numbers(assigned="yes") == ["o20001"]
        assert sorted(numbers(assigned="no")) == ["o9001", "o9002"]

    def test_the_area_filter_offers_only_the_accounts_areas(self, world):
        ShopProduct.objects.create(name="Fremd", area="Nur bei R2")
        make_contract(world.r2.account, "o9100", shop_product=ShopProduct.objects.get(name="Fremd"))
        form = login(Client(), world.r1.owner).get(LIST).context["filter"].form
        assert [value for value, _label in form.fields["area"].choices if value] == ["managed Webhosting"]

    def test_domain_search_finds_unicode_names_in_any_case(self, world):
        client = login(Client(), world.r1.employee)
        for term in ("domäne", "DOMÄNE", "d20001", "inwx"):
            data = client.get(DOMAINS, {"q": term}).context["table"].data
            assert [d.number for d in data] == ["d20001"], term

    def test_exports_hold_exactly_the_filtered_rows(self, world):
        make_contract(world.r1.account, "o9003", note="=HYPERLINK(1)")
        client = login(Client(), world.r1.owner)
        response = client.get(LIST, {"q": "o9003", "export": "csv"})
        assert response["Content-Disposition"] == 'attachment; filename="contracts.csv"'
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "o9003" in text and "o20001" not in text and "o20002" not in text
        assert text.splitlines()[0] == "Contract;Product;Area;Status;Customer"
        response = client.get(DOMAINS, {"export": "xlsx"})
        assert response["Content-Disposition"].endswith('filename="domains.xlsx"')
        assert client.get(LIST, {"export": "pdf"}).status_code == 200


class TestAssign:
    def test_an_employee_assigns_a_contract_and_it_shows_in_the_customers_tabs_and_count(self, world):
        contract, customer = world.r1.contract, world.r1.plain_customer
        client = login(Client(), world.r1.employee)
        response = client.post(assign_url(contract), {"end_customer": customer.pk})
        assert response["Location"] == contract.get_absolute_url()
        contract.refresh_from_db()
        assert contract.end_customer == customer
        products = client.get(f"/customers/{customer.pk}/products/").content.decode()
        assert "o20001" in products and "Webhosting Test" in products and "Provider product" in products
        assert 'data-testid="empty-state"' not in products
        assert EndCustomer.objects.with_counts().get(pk=customer.pk).product_count == 1
        listed = client.get("/customers/", {"q": customer.number}).context["table"].data
        assert [row.product_count for row in listed] == [1]
        entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(contract.pk))
        assert entry.user == world.r1.employee and entry.parent_id == str(customer.pk)
        assert entry.changes == {"end_customer": [None, str(customer)]}
        activity = client.get(f"/customers/{customer.pk}/activity/").content.decode()
        assert "o20001" in activity

    def test_a_domain_assignment_shows_in_the_domains_tab_with_its_state(self, world):
        domain, customer = world.r1.domain, world.r1.plain_customer
        client = login(Client(), world.r1.employee)
        assert (
            'data-testid="empty-state"'
            in client.get(reverse("contracts:endcustomer_domains", args=[customer.pk])).content.decode()
        )
        client.post(assign_url(domain), {"end_customer": customer.pk})
        body = client.get(reverse("contracts:endcustomer_domains", args=[customer.pk])).content.decode()
        assert "r1-domäne.de" in body and "d20001" in body and "INWX" in body
        assert "verification pending" in body and "zone active" in body and "auto-renew" in body
        counted = EndCustomer.objects.with_counts().get(pk=customer.pk)
        assert (counted.product_count, counted.domain_count) == (0, 1)

    def test_removing_the_assignment_keeps_the_contract(self, world):
        contract, customer = world.r1.contract, world.r1.plain_customer
        services.assign_contract(world.r1.actor(), contract, customer)
        client = login(Client(), world.r1.employee)
        client.post(assign_url(contract), {"end_customer": ""})
        contract.refresh_from_db()
        assert contract.end_customer is None and contract.status == Status.ACTIVE
        assert "o20001" in client.get(LIST).content.decode()
        assert 'data-testid="empty-state"' in client.get(f"/customers/{customer.pk}/products/").content.decode()
        assert EndCustomer.objects.with_counts().get(pk=customer.pk).product_count == 0
        removal = AuditEntry.objects.filter(object_id=str(contract.pk)).latest("pk")
        assert removal.changes == {"end_customer": [str(customer), None]} and removal.parent_id == str(customer.pk)

    def test_a_move_to_another_customer_is_recorded_for_both(self, world):
        contract = world.r1.contract
        first, second = world.r1.plain_customer, world.r1.customer
        services.assign_contract(world.r1.actor(), contract, first)
        services.assign_contract(world.r1.actor(Role.EMPLOYEE), contract, second)
        parents = set(
            AuditEntry.objects.filter(object_id=str(contract.pk), user=world.r1.employee).values_list(
                "parent_id", flat=True
            )
        )
        assert parents == {str(first.pk), str(second.pk)}

    def test_the_dialog_lists_the_resellers_customers_as_number_and_name(self, world):
        body = login(Client(), world.r1.employee).get(world.r1.contract.get_absolute_url()).content.decode()
        assert "Assign customer" in body and "– no customer –" in body
        assert "R1-1 – ZZ-R1-MARKER Kundenfirma (Kunde, Karla)" in body
        assert "R1-2 – ZZ-R1-MARKER Zweit, Karla" in body
        assert "R2-1" not in body
        assert "data-autocomplete-url" not in body

    def test_beyond_the_limit_the_dialog_renders_only_the_current_choice_and_asks_the_server(self, world):
        for index in range(CUSTOMER_CHOICE_LIMIT):
            make_customer(world.r1.account, f"MANY-{index:03d}")
        services.assign_contract(world.r1.actor(), world.r1.contract, world.r1.customer)
        client = login(Client(), world.r1.employee)
        body = client.get(assign_url(world.r1.contract)).content.decode()
        assert body.count("<option") == 2  # "no customer" and the current one
        assert "selected>R1-1 – ZZ-R1-MARKER Kundenfirma" in body
        assert 'data-autocomplete-url="/contracts/customers/"' in body
        # Still a real choice field: any of the reseller's customers validates.
        chosen = EndCustomer.objects.get(number="MANY-077")
        client.post(assign_url(world.r1.contract), {"end_customer": chosen.pk})
        world.r1.contract.refresh_from_db()
        assert world.r1.contract.end_customer == chosen
        list_body = client.get(LIST).content.decode()
        bulk_select = re.search(r'<select name="end_customer".*?</select>', list_body, re.S).group(0)
        assert bulk_select.count("<option") == 1 and "data-autocomplete-url" in bulk_select

    def test_the_autocomplete_searches_only_the_resellers_customers(self, world):
        make_customer(world.r2.account, "R2-KARLA", last_name="Karlsson")
        make_customer(world.r1.account, "R1-KARL", last_name="Karlsson")
        data = json.loads(login(Client(), world.r1.employee).get("/contracts/customers/", {"q": "karls"}).content)
        assert [item["text"] for item in data["results"]] == ["R1-KARL – Karlsson, Karla"]
        everything = json.loads(login(Client(), world.r2.owner).get("/contracts/customers/").content)
        assert "ZZ-R1-MARKER" not in json.dumps(everything) and len(everything["results"]) == 3
        assert login(Client(), world.c1.owner).get("/contracts/customers/").status_code == 404

    def test_a_forged_customer_of_another_reseller_is_refused_and_nothing_changes(self, world):
        before = snapshot_of_assignments()
        client = login(Client(), world.r1.owner)
        response = client.post(assign_url(world.r1.contract), {"end_customer": world.r2.customer.pk})
        assert response.status_code == 200
        assert "Select a valid choice" in str(response.context["form"].errors["end_customer"])
        assert "R2-1" not in response.content.decode()
        response = client.post(assign_url(world.r1.domain), {"end_customer": "not-a-number"})
        assert "Select a valid choice" in str(response.context["form"].errors["end_customer"])
        assert snapshot_of_assignments() == before

    def test_another_reseller_can_neither_see_nor_assign(self, world):
        before = snapshot_of_assignments()
        client = login(Client(), world.r2.owner)
        for url in (world.r1.contract.get_absolute_url(), world.r1.domain.get_absolute_url()):
            response = client.get(url)
            assert response.status_code == 404 and "ZZ-R1-MARKER" not in response.content.decode()
        for obj in (world.r1.contract, world.r1.domain):
            assert client.post(assign_url(obj), {"end_customer": world.r2.customer.pk}).status_code == 404
            assert client.post(assign_url(obj), {"end_customer": ""}).status_code == 404
        assert snapshot_of_assignments() == before

    def test_the_service_refuses_foreign_customers_and_contracts(self, world):
        before = snapshot_of_assignments()
        actor = world.r1.actor(Role.EMPLOYEE)
        with pytest.raises(Http404):
            services.assign_contract(actor, world.r1.contract, world.r2.customer)
        with pytest.raises(Http404):
            services.assign_contract(actor, world.r2.contract, world.r1.customer)
        with pytest.raises(Http404):
            services.unassign_domain(actor, world.r2.domain)
        with pytest.raises(Http404):
            services.assign_contract(Actor(user=world.loner), world.c1.contract, None)
        assert snapshot_of_assignments() == before

    def test_a_customer_with_an_assignment_cannot_be_deleted(self, world):
        customer = world.r1.plain_customer
        services.assign_domain(world.r1.actor(), world.r1.domain, customer)
        with pytest.raises(ValidationError, match="still has: 1 domain"):
            customer_services.delete_end_customer(world.r1.actor(), customer)
        client = login(Client(), world.r1.owner)
        assert f"/customers/{customer.pk}/delete/" not in client.get("/customers/").content.decode()
        response = client.post(f"/customers/{customer.pk}/delete/", follow=True)
        assert "This customer cannot be deleted while it still has: 1 domain." in response.content.decode()
        assert EndCustomer.objects.filter(pk=customer.pk).exists()
        services.unassign_domain(world.r1.actor(), world.r1.domain)
        customer_services.delete_end_customer(world.r1.actor(), customer)
        assert Domain.objects.filter(pk=world.r1.domain.pk).exists()

    def test_the_database_keeps_an_assigned_customer_even_without_the_guard(self, world):
        from django.db.models import RestrictedError

        customer = world.r1.plain_customer
        services.assign_contract(world.r1.actor(), world.r1.contract, customer)
        with pytest.raises(RestrictedError):
            EndCustomer.objects.filter(pk=customer.pk).delete()
        PortalUser.objects.filter(end_customer__account=world.r1.account).delete()
        world.r1.account.delete()  # offboarding the account takes its contracts and customers with it
        assert not Contract.objects.filter(pk=world.r1.contract.pk).exists()

    def test_the_privacy_export_lists_assigned_contracts_and_domains(self, world):
        customer = world.r1.plain_customer
        services.assign_contract(world.r1.actor(), world.r1.contract, customer)
        services.assign_domain(world.r1.actor(), world.r1.domain, customer)
        data = json.loads(login(Client(), world.r1.owner).get(f"/customers/{customer.pk}/privacy/export/").content)
        assert {(item["type"], item["object"]) for item in data["assignments"]} == {
            ("contracts.Contract", "o20001 Webhosting Test"),
            ("contracts.Domain", "r1-domäne.de"),
        }


class TestBulk:
    def test_several_contracts_are_assigned_and_unassigned_at_once(self, world):
        extra = make_contract(world.r1.account, "o9004")
        customer = world.r1.plain_customer
        client = login(Client(), world.r1.employee)
        pks = [world.r1.contract.pk, extra.pk, world.r2.contract.pk]  # one foreign id slipped in
        response = client.post(
            "/contracts/bulk/", {"action": "assign", "selection": pks, "end_customer": customer.pk}, follow=True
        )
        assert "2 entries assigned to R1-2" in response.content.decode()
        assert set(Contract.objects.filter(end_customer=customer).values_list("number", flat=True)) == {
            "o20001",
            "o9004",
        }
        assert Contract.objects.get(pk=world.r2.contract.pk).end_customer is None
        assert EndCustomer.objects.with_counts().get(pk=customer.pk).product_count == 2
        response = client.post("/contracts/bulk/", {"action": "unassign", "selection": pks}, follow=True)
        assert "2 assignments removed." in response.content.decode()
        assert not Contract.objects.filter(end_customer=customer).exists()
        assert Contract.objects.filter(pk__in=pks[:2]).count() == 2

    def test_bulk_with_a_foreign_customer_changes_nothing(self, world):
        before = snapshot_of_assignments()
        client = login(Client(), world.r1.owner)
        data = {"action": "assign", "selection": [world.r1.contract.pk], "end_customer": world.r2.customer.pk}
        response = client.post("/contracts/bulk/", data, follow=True)
        assert "Select a valid choice" in response.content.decode()
        assert snapshot_of_assignments() == before

    def test_bulk_needs_a_customer_and_a_selection(self, world):
        client = login(Client(), world.r1.owner)
        response = client.post(
            "/contracts/bulk/", {"action": "assign", "selection": [world.r1.contract.pk]}, follow=True
        )
        assert "Please choose a customer." in response.content.decode()
        response = client.post("/contracts/bulk/", {"action": "assign"}, follow=True)
        assert "Please select entries first." in response.content.decode()

    def test_domains_are_assigned_in_bulk_too(self, world):
        other = make_domain(world.r1.account, "d9001", "zweite-domäne.de")
        client = login(Client(), world.r1.employee)
        data = {"action": "assign", "selection": [world.r1.domain.pk, other.pk], "end_customer": world.r1.customer.pk}
        client.post("/contracts/domains/bulk/", data)
        assert Domain.objects.filter(end_customer=world.r1.customer).count() == 2

    def test_bulk_returns_to_the_filtered_list_and_nowhere_else(self, world):
        client = login(Client(), world.r1.owner)
        data = {"action": "unassign", "selection": [world.r1.contract.pk]}
        assert client.post("/contracts/bulk/", {**data, "next": "/contracts/?q=o2&page=2"})["Location"] == (
            "/contracts/?q=o2&page=2"
        )
        for bad in ("https://evil.test/contracts/?q=1", "//evil.test/contracts/?", "/customers/", "/contracts/x"):
            assert client.post("/contracts/bulk/", {**data, "next": bad})["Location"] == "/contracts/"
