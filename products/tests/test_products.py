from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from audit.models import AuditEntry
from conftest import login, make_contract, make_customer, make_product
from contracts import services as contract_services
from contracts.models import ShopProduct, Status
from core.roles import Role
from products import services
from products.models import ResellerProduct

pytestmark = pytest.mark.django_db

LIST = "/products/"
ADD = "/products/add/"


def valid(world, **changes):
    return {
        "kind": "branded",
        "shop_product": world.r1.contract.shop_product_id,
        "name": "Webhosting Premium",
        "description": "Mit SSL und Backup",
        "net_price": "1.234,56",
        "status": "active",
        **changes,
    }


def edit_data(product, **changes):
    return {
        "name": product.name,
        "description": product.description,
        "net_price": "9,90",
        "status": product.status,
        **changes,
    }


class TestCreate:
    def test_a_branded_product_is_created_with_a_german_price(self, world):
        client = login(Client(), world.r1.employee)
        response = client.post(ADD, valid(world))
        product = ResellerProduct.objects.get(name="Webhosting Premium")
        assert response["Location"] == product.get_absolute_url()
        assert product.account == world.r1.account and product.net_price == Decimal("1234.56")
        assert product.kind == "branded" and product.shop_product == world.r1.contract.shop_product
        detail = client.get(product.get_absolute_url()).content.decode()
        assert "1.234,56 €" in detail and "https://shop.provider.test/wh" in detail and "Webhosting Test" in detail
        assert "1.234,56 €" in client.get(LIST).content.decode()
        entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(product.pk))
        assert entry.changes["net_price"] == [None, "1234.56"]

    @pytest.mark.parametrize(
        ("price", "message"),
        [
            ("-1", "The price cannot be negative."),
            ("1e9", "Enter the price in euros like 1.234,56."),
            ("0,001", "A price has at most two decimal places (cents)."),
            ("", "This field is required."),
        ],
    )
    def test_bad_prices_are_field_errors_and_nothing_is_created(self, world, price, message):
        response = login(Client(), world.r1.owner).post(ADD, valid(world, net_price=price))
        assert response.status_code == 200
        assert response.context["form"].errors["net_price"] == [message]
        assert f'value="{price}"' in response.content.decode() or not price  # the input is kept for correction
        assert not ResellerProduct.objects.filter(name="Webhosting Premium").exists()

    def test_the_dropdown_offers_active_shop_products_with_an_active_contract_only(self, world):
        inactive_contract = ShopProduct.objects.create(name="Nur gekündigt", area="Cloud")
        make_contract(world.r1.account, "o9001", shop_product=inactive_contract, status=Status.INACTIVE)
        retired = ShopProduct.objects.create(name="Ausgelaufen", area="Cloud", is_active=False)
        make_contract(world.r1.account, "o9002", shop_product=retired)
        foreign = ShopProduct.objects.create(name="Nur bei R2", area="Cloud")
        make_contract(world.r2.account, "o9003", shop_product=foreign)
        client = login(Client(), world.r1.owner)
        field = client.get(ADD).context["form"].fields["shop_product"]
        assert [p.name for p in field.queryset] == ["Webhosting Test"]
        for refused in (inactive_contract, retired, foreign):
            response = client.post(ADD, valid(world, shop_product=refused.pk))
            assert "Select a valid choice" in str(response.context["form"].errors["shop_product"])
        assert not ResellerProduct.objects.filter(name="Webhosting Premium").exists()

    def test_the_service_checks_the_shop_product_too(self, world):
        foreign = ShopProduct.objects.create(name="Nur bei R2", area="Cloud")
        make_contract(world.r2.account, "o9003", shop_product=foreign)
        product = ResellerProduct(kind="branded", shop_product=foreign, name="X", net_price=Decimal(1))
        with pytest.raises(ValidationError) as error:
            services.create_product(world.r1.actor(), product)
        assert list(error.value.message_dict) == ["shop_product"]
        hosting = ResellerProduct(kind="reseller_hosting", name="Y", net_price=Decimal(1))
        with pytest.raises(ValidationError, match="active reseller contracts"):
            services.create_product(world.r1.actor(), hosting)
        assert not ResellerProduct.objects.filter(name__in=["X", "Y"]).exists()

    def test_a_hosting_product_needs_a_reseller_contract_of_ones_own(self, world):
        response = login(Client(), world.r1.owner).post(ADD, valid(world, kind="reseller_hosting"))
        assert "This field is required." in str(response.context["form"].errors["contract"])
        assert not ResellerProduct.objects.filter(kind="reseller_hosting").exists()

    def test_in_app_info_is_kept_only_with_in_app_prices(self, world):
        client = login(Client(), world.r1.owner)
        client.post(ADD, valid(world, name="Ohne", in_app_info="versteckt"))
        client.post(ADD, valid(world, name="Mit", in_app_prices="on", in_app_info="Extras monatlich"))
        assert ResellerProduct.objects.get(name="Ohne").in_app_info == ""
        assert ResellerProduct.objects.get(name="Mit").in_app_info == "Extras monatlich"
        assert 'data-show-if="id_in_app_prices"' in client.get(ADD).content.decode()


class TestEdit:
    def test_only_the_mutable_fields_are_offered(self, world):
        form = login(Client(), world.r1.employee).get(f"/products/{world.r1.product.pk}/edit/").context["form"]
        assert list(form.fields) == ["name", "description", "net_price", "status", "in_app_prices", "in_app_info"]
        assert form["net_price"].value() == "9,90"

    def test_the_price_changes_and_forged_immutable_fields_are_ignored(self, world):
        product = world.r1.product
        other = ShopProduct.objects.create(name="Anderes", area="Cloud")
        make_contract(world.r1.account, "o9005", shop_product=other)
        data = edit_data(product, net_price="99,5", kind="reseller_hosting", shop_product=other.pk)
        response = login(Client(), world.r1.employee).post(f"/products/{product.pk}/edit/", data)
        assert response["Location"] == product.get_absolute_url()
        product.refresh_from_db()
        assert product.net_price == Decimal("99.50")
        assert product.kind == "branded" and product.shop_product.name == "Webhosting Test"
        entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(product.pk))
        assert entry.changes == {"net_price": ["9.90", "99.50"]}

    def test_the_service_refuses_a_change_of_type_or_shop_product(self, world):
        product = ResellerProduct.objects.get(pk=world.r1.product.pk)
        product.kind = "reseller_hosting"
        product.shop_product = ShopProduct.objects.create(name="Anderes", area="Cloud")
        product.name = "Neu"
        with pytest.raises(ValidationError) as error:
            services.update_product(world.r1.actor(), product)
        assert error.value.message_dict == {
            "kind": ["The type, shop product, contract and plan of a product cannot be changed after it was created."],
            "shop_product": [
                "The type, shop product, contract and plan of a product cannot be changed after it was created."
            ],
        }
        stored = ResellerProduct.objects.get(pk=product.pk)
        assert (stored.kind, stored.name, stored.shop_product.name) == (
            "branded",
            "ZZ-R1-MARKER Produkt",
            "Webhosting Test",
        )

    def test_another_reseller_cannot_see_or_change_the_product(self, world):
        product = world.r1.product
        client = login(Client(), world.r2.owner)
        for url in (product.get_absolute_url(), f"/products/{product.pk}/edit/", f"/products/{product.pk}/delete/"):
            response = client.get(url)
            assert response.status_code == 404 and "ZZ-R1-MARKER" not in response.content.decode()
        assert client.post(f"/products/{product.pk}/edit/", edit_data(product, name="Gekapert")).status_code == 404
        assert ResellerProduct.objects.get(pk=product.pk).name == "ZZ-R1-MARKER Produkt"


class TestUsage:
    def test_usage_counts_customers_with_an_assigned_active_contract_of_the_shop_product(self, world):
        account, actor = world.r1.account, world.r1.actor()
        shop_product = world.r1.contract.shop_product
        second = make_contract(account, "o9101")
        inactive = make_contract(account, "o9102", status=Status.INACTIVE)
        unrelated = make_contract(account, "o9103", shop_product=ShopProduct.objects.create(name="Anders", area="X"))
        third_customer = make_customer(account, "R1-3")
        # One customer with two contracts counts once; an inactive contract and another product count not.
        contract_services.assign_contracts(actor, [world.r1.contract, second], world.r1.customer)
        contract_services.assign_contract(actor, inactive, world.r1.plain_customer)
        contract_services.assign_contract(actor, unrelated, third_customer)
        # R2's customer with the same shop product is R2's business.
        contract_services.assign_contract(world.r2.actor(), world.r2.contract, world.r2.customer)
        second_branding = make_product(account, "Zweites Branding", shop_product=shop_product)
        usage = dict(ResellerProduct.objects.with_usage().filter(account=account).values_list("name", "usage"))
        assert usage == {"ZZ-R1-MARKER Produkt": 1, "Zweites Branding": 1}
        contract_services.assign_contract(actor, second, world.r1.plain_customer)
        assert services.usage_of(actor, second_branding) == 2
        body = login(Client(), world.r1.owner).get(LIST).content.decode()
        assert '<td class="text-end text-nowrap">2</td>' in body

    def test_the_list_shows_id_type_with_shop_link_product_status_and_usage(self, world):
        response = login(Client(), world.r1.employee).get(LIST)
        table = response.context["table"]
        assert [c.header for c in table.columns if c.visible] == [
            "ID",
            "Type",
            "Product",
            "Net price",
            "Status",
            "Usage",
            "Actions",
        ]
        body = response.content.decode()
        assert 'href="https://shop.provider.test/wh" target="_blank" rel="noopener noreferrer"' in body
        assert "Provider product" in body and "9,90 €" in body


class TestDelete:
    def test_an_unused_product_is_deleted_by_an_admin(self, world):
        product = world.r1.product
        response = login(Client(), world.r1.admin).post(f"/products/{product.pk}/delete/")
        assert response["Location"] == LIST
        assert not ResellerProduct.objects.filter(pk=product.pk).exists()
        assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE, object_id=str(product.pk)).exists()

    def test_a_used_product_is_not_deleted(self, world):
        product = world.r1.product
        contract_services.assign_contract(world.r1.actor(), world.r1.contract, world.r1.customer)
        client = login(Client(), world.r1.owner)
        assert f"/products/{product.pk}/delete/" not in client.get(LIST).content.decode()
        response = client.post(f"/products/{product.pk}/delete/", follow=True)
        assert "This product is used by 1 customer and cannot be deleted." in response.content.decode()
        assert ResellerProduct.objects.filter(pk=product.pk).exists()

    def test_a_product_that_ended_hostings_name_is_refused_not_a_500(self, world):
        from hosting.models import ResellerHosting

        contract = make_contract(world.r1.account, "o20777")
        product = ResellerProduct.objects.create(
            account=world.r1.account,
            kind=ResellerProduct.Kind.RESELLER_HOSTING,
            contract=contract,
            plan_name="Webhosting S",
            name="Hosting alt",
            net_price="4.90",
        )
        ResellerHosting.objects.create(
            account=world.r1.account,
            end_customer=world.r1.plain_customer,
            product=product,
            contract=contract,
            status=ResellerHosting.Status.CANCELLED,
        )
        client = login(Client(), world.r1.owner)
        response = client.post(f"/products/{product.pk}/delete/", follow=True)
        assert response.status_code == 200
        assert "Ended hostings still name this product" in response.content.decode()
        assert ResellerProduct.objects.filter(pk=product.pk).exists()
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.DELETE, object_id=str(product.pk)).exists()

    def test_employees_do_not_delete_products(self, world):
        product = world.r1.product
        client = login(Client(), world.r1.employee)
        assert f"/products/{product.pk}/delete/" not in client.get(LIST).content.decode()
        assert client.post(f"/products/{product.pk}/delete/").status_code == 403
        assert ResellerProduct.objects.filter(pk=product.pk).exists()


class TestPartnerOnly:
    def test_a_plain_provider_account_has_no_products_menu_or_pages(self, world):
        client = login(Client(), world.c1.owner)
        assert client.get(LIST).status_code == 404
        assert client.get(ADD).status_code == 404
        assert "/products/" not in client.get("/").content.decode()
        assert "/contracts/" in client.get("/").content.decode()  # Produktverwaltung is for every account

    def test_roles(self, world):
        assert world.r1.actor(Role.EMPLOYEE).may(ResellerProduct, "change")
        assert not world.r1.actor(Role.EMPLOYEE).may(ResellerProduct, "delete")
        assert world.r1.actor(Role.ADMIN).may(ResellerProduct, "delete")
        assert not world.c1.actor(Role.OWNER).may(ResellerProduct, "view")
