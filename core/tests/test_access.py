"""The one access helper: 404 for what the actor may not know about, 403 (audited) for a role that is too low."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client

from accounts.models import Membership
from audit.models import AuditEntry
from conftest import api_client, login
from core.access import ActionDenied, access_object, access_queryset, require_action
from core.actor import Actor
from core.roles import Role
from core.tenancy import CHANGE, DELETE, VIEW
from customers import services
from customers.models import EndCustomer

pytestmark = pytest.mark.django_db


def denials():
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).select_related("user")
    return [(entry.user.username, entry.object_display) for entry in entries]


class TestTheHelper:
    def test_another_accounts_object_is_the_same_404_as_a_missing_one(self, world):
        actor = world.r2.actor()
        for pk in (world.r1.customer.pk, 999_999, "not-a-number"):
            with pytest.raises(Http404) as raised:
                access_object(actor, EndCustomer, pk)
            assert raised.value.args == ()

    def test_no_account_and_a_missing_feature_are_404_not_403(self, world):
        for actor in (Actor(user=world.loner), world.c1.actor()):  # no account; an account without partner rights
            with pytest.raises(Http404):
                require_action(actor, EndCustomer, VIEW)
            with pytest.raises(Http404):
                access_queryset(actor, EndCustomer)
        assert denials() == []

    def test_a_role_too_low_is_denied_with_what_was_refused(self, world):
        with pytest.raises(ActionDenied) as raised:
            require_action(world.r1.actor(Role.EMPLOYEE), EndCustomer, DELETE)
        assert (raised.value.model, raised.value.action) == (EndCustomer, DELETE)

    def test_the_queryset_holds_only_the_actors_rows_and_keeps_its_refinements(self, world):
        rows = access_queryset(world.r1.actor(), EndCustomer.objects.with_counts(), CHANGE)
        assert {customer.account_id for customer in rows} == {world.r1.account.pk}
        assert all(hasattr(customer, "product_count") for customer in rows)

    def test_a_model_without_the_restriction_is_refused(self, world):
        from accounts.models import Account

        with pytest.raises(TypeError):
            access_queryset(world.r1.actor(), Account)


class TestDenialsAreAuditedAtTheEdge:
    def test_a_page_denial_is_recorded_once(self, world):
        response = login(Client(), world.r1.employee).post(f"/customers/{world.r1.plain_customer.pk}/delete/")
        assert response.status_code == 403
        assert denials() == [("r1-employee", "Delete customers")]
        assert EndCustomer.objects.filter(pk=world.r1.plain_customer.pk).exists()

    def test_an_api_denial_is_recorded_once(self, world):
        response = api_client(world.r1, Role.EMPLOYEE).delete(f"/api/v1/customers/{world.r1.plain_customer.pk}/")
        assert response.status_code == 403
        assert denials() == [("r1-employee", "Delete customers")]

    def test_a_denial_raised_inside_a_services_transaction_is_recorded_although_it_rolls_back(self, world):
        """An administrator may change members, but not owners: the service finds out under its row locks."""
        owner = Membership.objects.get(user=world.r1.owner)
        response = api_client(world.r1, Role.ADMIN).patch(
            f"/api/v1/members/{owner.pk}/", {"role": "employee"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert response.json() == {"detail": "Only owners can manage owners."}
        assert denials() == [("r1-admin", "Manage owners")]
        owner.refresh_from_db()
        assert owner.role == Role.OWNER

    def test_a_service_called_directly_raises_the_same_denial(self, world):
        with pytest.raises(ActionDenied):
            services.delete_end_customer(world.r1.actor(Role.EMPLOYEE), world.r1.plain_customer)
        with pytest.raises(Http404):
            services.delete_end_customer(world.r2.actor(), world.r1.plain_customer)
        with pytest.raises(ValidationError):
            services.delete_end_customer(world.r1.actor(), world.r1.customer)  # has a portal user
        assert EndCustomer.objects.filter(pk=world.r1.plain_customer.pk).exists()
