"""Assignment against deletion with real row locks (PostgreSQL, two connections)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404

from contracts import services
from contracts.models import Contract
from customers import services as customer_services
from customers.tests.test_races import run_in_thread

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking (two connections)"),
]


def test_a_contract_assigned_during_deletion_blocks_it(world):
    customer, contract = world.r1.plain_customer, world.r1.contract
    actor = world.r1.actor()
    locked = threading.Event()
    results = {}

    def assign_slowly():
        with transaction.atomic():
            services.assign_contract(actor, contract, customer)
            locked.set()
            time.sleep(0.5)  # the deletion must wait for this commit
        return "assigned"

    assigner = run_in_thread(assign_slowly, results, "assign")
    assert locked.wait(10)
    deleter = run_in_thread(lambda: customer_services.delete_end_customer(actor, customer), results, "delete")
    assigner.join(20)
    deleter.join(20)
    assert results["assign"] == "assigned"
    assert isinstance(results["delete"], ValidationError)
    assert "1 product" in results["delete"].messages[0]
    assert Contract.objects.get(pk=contract.pk).end_customer_id == customer.pk


def test_a_deletion_in_progress_makes_a_late_assignment_fail_cleanly(world):
    customer, contract = world.r1.plain_customer, world.r1.contract
    actor = world.r1.actor()
    locked = threading.Event()
    results = {}

    def delete_slowly():
        with transaction.atomic():
            customer_services.lock_end_customer(actor, customer.pk, "delete")
            locked.set()
            time.sleep(0.5)
            customer_services.delete_end_customer(actor, customer)
        return "deleted"

    deleter = run_in_thread(delete_slowly, results, "delete")
    assert locked.wait(10)
    assigner = run_in_thread(lambda: services.assign_contract(actor, contract, customer), results, "assign")
    deleter.join(20)
    assigner.join(20)
    assert results["delete"] == "deleted"
    assert isinstance(results["assign"], Http404)  # the customer is gone: as if it never existed
    assert Contract.objects.get(pk=contract.pk).end_customer_id is None
