"""The data migrations of hosting map what the rows already hold (run on today's models; they only read and
write fields these migrations know)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from hosting.models import ProvisioningEvent, ResellerHosting
from hosting.tests.helpers import reseller_setup

pytestmark = pytest.mark.django_db


def migration(name: str):
    return importlib.import_module(f"hosting.migrations.{name}")


def hosting_with(tenant, product, *messages: str) -> ResellerHosting:
    hosting = ResellerHosting.objects.create(
        account=tenant.account,
        end_customer=tenant.plain_customer,
        product=product,
        contract=product.contract,
        status=ResellerHosting.Status.FAILED,
    )
    for message in messages:
        ProvisioningEvent.objects.create(hosting=hosting, kind="call", message=message)
    return hosting


def test_hostings_whose_job_created_the_plesk_customer_are_marked(world):
    from hosting.models import HostingServer

    server = HostingServer.objects.create(name="M", host="127.0.0.1", login="admin", password="x", is_sandbox=True)
    _contract, product = reseller_setup(world.r1, server, number="o-m1")
    english = hosting_with(world.r1, product, "customer get, webspace get: done.", "customer add: done.")
    german = hosting_with(world.r1, product, "customer get, webspace get: erledigt.", "customer add: erledigt.")
    found = hosting_with(world.r1, product, "customer get, webspace get: done.", "webspace add: already exists.")
    adopted = hosting_with(
        world.r1, product, "customer add: outcome unknown.", "Adopted the existing Plesk customer x."
    )
    migration("0004_cancel").record_created_customers(apps, None)
    marked = dict(ResellerHosting.objects.values_list("pk", "created_plesk_customer"))
    assert marked == {english.pk: True, german.pk: True, found.pk: False, adopted.pk: False}
