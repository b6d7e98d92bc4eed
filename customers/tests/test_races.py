"""Races that only real row locks settle (PostgreSQL, two connections).

On SQLite every write transaction takes the database's write lock at BEGIN
(IMMEDIATE), so the same interleavings cannot happen there; the sequential
tests of the guard and the uniqueness constraint cover SQLite.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404

from customers import services
from customers.models import EndCustomer, PortalUser
from users.models import User

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking (two connections)"),
]


def run_in_thread(target, results, key):
    def wrapper():
        try:
            results[key] = target()
        except Exception as error:  # the outcome is what the test asserts
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=wrapper)
    thread.start()
    return thread


def new_customer(number):
    return EndCustomer(
        number=number,
        last_name="Gleich",
        first_name="Zeitig",
        street="Weg 1",
        postal_code="10115",
        city="Berlin",
        phone="030 1234567",
        mobile="0170 1234567",
        email="race@example.test",
    )


def test_two_simultaneous_creations_with_one_number_exactly_one_wins(world, monkeypatch):
    barrier = threading.Barrier(2, timeout=10)
    original = services._check_number_free

    def check_then_wait(actor, customer):
        original(actor, customer)
        barrier.wait()  # both have passed the check before either inserts

    monkeypatch.setattr(services, "_check_number_free", check_then_wait)
    results = {}
    actor = world.r1.actor()
    threads = [
        run_in_thread(lambda: services.create_end_customer(actor, new_customer("RACE-1")), results, key)
        for key in ("a", "b")
    ]
    for thread in threads:
        thread.join(20)
    outcomes = sorted(type(result).__name__ for result in results.values())
    assert outcomes == ["EndCustomer", "ValidationError"]
    error = next(result for result in results.values() if isinstance(result, ValidationError))
    assert error.message_dict == {"number": ["You already have a customer with this customer number."]}
    assert EndCustomer.objects.filter(number="RACE-1").count() == 1


def test_a_user_created_during_deletion_blocks_it(world):
    customer = world.r1.plain_customer
    actor = world.r1.actor()
    locked = threading.Event()
    results = {}

    def create_user_slowly():
        with transaction.atomic():
            locked_customer = services.lock_end_customer(actor, customer.pk)
            user = User.objects.create(username="late-user", email="late@example.test")
            PortalUser.objects.create(user=user, end_customer=locked_customer)
            locked.set()
            time.sleep(0.5)  # the deletion must wait for this commit
        return "created"

    creator = run_in_thread(create_user_slowly, results, "create")
    assert locked.wait(10)
    deleter = run_in_thread(lambda: services.delete_end_customer(actor, customer), results, "delete")
    creator.join(20)
    deleter.join(20)
    assert results["create"] == "created"
    assert isinstance(results["delete"], ValidationError)
    assert "1 user" in results["delete"].messages[0]
    assert EndCustomer.objects.filter(pk=customer.pk).exists()


def test_a_deletion_in_progress_makes_a_late_assignment_fail_cleanly(world):
    customer = world.r1.plain_customer
    actor = world.r1.actor()
    locked = threading.Event()
    results = {}

    def delete_slowly():
        with transaction.atomic():
            services.lock_end_customer(actor, customer.pk, "delete")
            locked.set()
            time.sleep(0.5)
            services.delete_end_customer(actor, customer)
        return "deleted"

    deleter = run_in_thread(delete_slowly, results, "delete")
    assert locked.wait(10)

    def create_user():
        return services.create_portal_user(
            actor, customer, username="too-late", first_name="T", last_name="L", email="t@example.test", password=None
        )

    creator = run_in_thread(create_user, results, "create")
    deleter.join(20)
    creator.join(20)
    assert results["delete"] == "deleted"
    assert isinstance(results["create"], Http404)  # the customer is gone: as if it never existed
    assert not User.objects.filter(username="too-late").exists()
    assert not EndCustomer.objects.filter(pk=customer.pk).exists()
