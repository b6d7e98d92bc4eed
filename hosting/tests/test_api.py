"""The hosting API answers in the reader's language, like the rest of the API."""

import pytest
from django.test import Client

from conftest import api_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "customer", "product"),
    [
        ("de", "Diesen Kunden gibt es nicht (mehr).", "Wählen Sie eines Ihrer MKM-Hosting-Produkte."),
        ("en", "This customer does not exist (any more).", "Choose one of your reseller-hosting products."),
    ],
)
def test_a_foreign_customer_and_product_are_named_in_the_readers_language(world, language, customer, product):
    client: Client = api_client(world.r1)
    client.cookies["django_language"] = language
    body = {"end_customer": world.r2.customer.pk, "product": 0}
    response = client.post("/api/v1/hostings/", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["end_customer"], "msg": customer},
        {"loc": ["product"], "msg": product},
    ]
