"""Profil → Persönliche Daten: a user changes their own name and e-mail address."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from conftest import PASSWORD, login

pytestmark = pytest.mark.django_db

PROFILE = reverse("users:profile")


def save(client, **changes):
    data = {"first_name": "Rita", "last_name": "Reseller", "email": "r1-owner@example.test", **changes}
    return client.post(PROFILE, data)


def test_a_name_change_is_saved_and_audited(world):
    client = login(Client(), world.r1.owner)
    response = save(client, first_name="Rika", last_name="Neumann")
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    world.r1.owner.refresh_from_db()
    assert (world.r1.owner.first_name, world.r1.owner.last_name) == ("Rika", "Neumann")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, user=world.r1.owner)
    assert entry.changes["first_name"] == ["R1-Owner", "Rika"]
    assert "Your profile has been saved." in client.get(PROFILE).content.decode()


def test_a_name_with_a_control_character_is_a_field_error_and_nothing_is_saved(world):
    response = save(login(Client(), world.r1.owner), last_name="Neu\x1b[31mmann")
    assert response.status_code == 200
    assert response.context["form"].errors["last_name"]
    world.r1.owner.refresh_from_db()
    assert world.r1.owner.last_name != "Neu\x1b[31mmann"


def test_a_new_address_needs_the_current_password(world):
    client = login(Client(), world.r1.owner)
    response = save(client, email="rita@new.example")
    assert response.status_code == 200
    assert "Your password was entered incorrectly." in response.content.decode()
    world.r1.owner.refresh_from_db()
    assert world.r1.owner.email == "r1-owner@example.test"
    assert save(client, email="rita@new.example", current_password=PASSWORD).status_code == 302
    world.r1.owner.refresh_from_db()
    assert world.r1.owner.email == "rita@new.example"


def test_another_users_address_is_refused(world):
    client = login(Client(), world.r1.owner)
    response = save(client, email=world.r1.admin.email, current_password=PASSWORD)
    assert "This e-mail address is already in use." in response.content.decode()
    world.r1.owner.refresh_from_db()
    assert world.r1.owner.email == "r1-owner@example.test"
