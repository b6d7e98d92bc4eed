import pytest
from django.test import Client

from audit.models import AuditEntry
from contracts import services as contract_services
from core.roles import Role
from products.models import ResellerProduct
from users.services import create_api_token

pytestmark = pytest.mark.django_db

IMMUTABLE = "The type, shop product, contract and plan of a product cannot be changed after it was created."


def api(tenant, role=Role.OWNER):
    _token, key = create_api_token(tenant.actor(role), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def body(world, **changes):
    return {"shop_product": world.r1.contract.shop_product_id, "name": "API-Produkt", "net_price": "1234.56", **changes}


def detail(response):
    return {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}


def test_create_read_list_and_update(world):
    client = api(world.r1, Role.EMPLOYEE)
    response = client.post("/api/v1/products/", body(world), content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert created["net_price"] == "1234.56" and created["net_price_display"] == "1.234,56 €"
    assert created["kind"] == "branded" and created["usage"] == 0
    assert created["shop_product"]["shop_url"] == "https://shop.provider.test/wh"
    url = f"/api/v1/products/{created['id']}/"
    assert client.get(url).json()["name"] == "API-Produkt"
    response = client.patch(url, {"net_price": 99.5, "name": "Umbenannt"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["net_price"] == "99.50" and response.json()["name"] == "Umbenannt"
    items = client.get("/api/v1/products/?q=umbenannt").json()["items"]
    assert [item["id"] for item in items] == [created["id"]]


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-1", "The price cannot be negative."),
        ("0.001", "A price has at most two decimal places (cents)."),
        ("1e9", "The price can be at most 9.999.999,99 €."),
    ],
)
def test_prices_are_checked_like_in_the_form(world, price, message):
    response = api(world.r1).post("/api/v1/products/", body(world, net_price=price), content_type="application/json")
    assert response.status_code == 422
    assert detail(response) == {("net_price",): message}
    assert not ResellerProduct.objects.filter(name="API-Produkt").exists()


def test_zero_is_a_price(world):
    response = api(world.r1).post("/api/v1/products/", body(world, net_price="-0"), content_type="application/json")
    assert response.status_code == 201 and response.json()["net_price_display"] == "0,00 €"


def test_type_and_shop_product_cannot_be_changed(world):
    client = api(world.r1)
    url = f"/api/v1/products/{world.r1.product.pk}/"
    before = AuditEntry.objects.count()
    for change in ({"kind": "reseller_hosting"}, {"shop_product": 999999}, {"contract": world.r1.contract.pk}):
        response = client.patch(url, {**change, "name": "Neu"}, content_type="application/json")
        assert response.status_code == 422
        assert detail(response) == {(next(iter(change)),): IMMUTABLE}
    product = ResellerProduct.objects.get(pk=world.r1.product.pk)
    assert (product.kind, product.name) == ("branded", "ZZ-R1-MARKER Produkt")
    assert AuditEntry.objects.count() == before
    # Sending the unchanged value is no change.
    response = client.patch(url, {"kind": "branded", "name": "Neu"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "Neu"


def test_a_foreign_shop_product_or_product_is_refused(world):
    from conftest import make_contract
    from contracts.models import ShopProduct

    foreign = ShopProduct.objects.create(name="Nur bei R2", area="Cloud")
    make_contract(world.r2.account, "o9003", shop_product=foreign)
    client = api(world.r1)
    response = client.post("/api/v1/products/", body(world, shop_product=foreign.pk), content_type="application/json")
    assert response.status_code == 422 and ("shop_product",) in detail(response)
    outsider = api(world.r2)
    url = f"/api/v1/products/{world.r1.product.pk}/"
    for response in (
        outsider.get(url),
        outsider.patch(url, {"name": "x"}, content_type="application/json"),
        outsider.delete(url),
    ):
        assert response.status_code == 404 and "ZZ-R1-MARKER" not in response.content.decode()
    assert "ZZ-R1-MARKER" not in outsider.get("/api/v1/products/").content.decode()
    assert ResellerProduct.objects.get(pk=world.r1.product.pk).name == "ZZ-R1-MARKER Produkt"


def test_delete_only_when_unused_and_only_by_admins(world):
    url = f"/api/v1/products/{world.r1.product.pk}/"
    assert api(world.r1, Role.EMPLOYEE).delete(url).status_code == 403
    contract_services.assign_contract(world.r1.actor(), world.r1.contract, world.r1.customer)
    response = api(world.r1, Role.ADMIN).delete(url)
    assert response.status_code == 422
    assert detail(response) == {(): "This product is used by 1 customer and cannot be deleted."}
    contract_services.unassign_contract(world.r1.actor(), world.r1.contract)
    assert api(world.r1, Role.ADMIN).delete(url).status_code == 204
    assert not ResellerProduct.objects.filter(pk=world.r1.product.pk).exists()


def test_a_plain_provider_account_has_no_products(world):
    client = api(world.c1)
    assert client.get("/api/v1/products/").status_code == 404
    assert client.post("/api/v1/products/", body(world), content_type="application/json").status_code == 404
