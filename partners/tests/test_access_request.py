"""Zugriffsanfrage senden (issue #20): from one of its end customers' pages the partner's owner invites that
customer's address; the partnership that follows is linked to the end customer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.invitations import accept_invitation
from partners.models import PartnerInvitation

pytestmark = pytest.mark.django_db


def test_the_owner_asks_an_end_customer_for_access_and_the_partnership_is_linked_to_it(world, client_for):
    customer = world.r1.plain_customer
    url = reverse("partners:invitation_for_customer", args=[customer.pk])
    owner = client_for(world.r1.owner)
    owner.cookies["django_language"] = "de"
    page = owner.get(customer.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page and "Zugriffsanfrage senden" in page
    form = owner.get(url).content.decode()
    assert f'value="{customer.email}"' in form
    response = owner.post(url, {"email": world.c1.owner.email, "requested_full": "1", "message": ""})
    assert response.status_code == 302, response.content.decode()[:800]
    invitation = PartnerInvitation.objects.get()
    assert invitation.end_customer == customer
    partnership = accept_invitation(world.c1.actor(), invitation, full=True)
    partnership.refresh_from_db()
    assert partnership.end_customer == customer
    # Now linked: no more access request from its page.
    assert f'href="{url}"' not in owner.get(customer.get_absolute_url()).content.decode()


def test_only_the_owner_and_only_for_its_own_customers(world, client_for):
    customer = world.r1.plain_customer
    url = reverse("partners:invitation_for_customer", args=[customer.pk])
    for user in (world.r1.admin, world.r1.employee):
        client = client_for(user)
        assert f'href="{url}"' not in client.get(customer.get_absolute_url()).content.decode(), user
        assert client.get(url).status_code == 403, user
    assert client_for(world.r2.owner).get(url).status_code == 404
    assert client_for(world.r2.owner).post(url, {"email": "x@example.test", "requested_full": "1"}).status_code == 404
    assert not PartnerInvitation.objects.exists()
