"""Partnerships (issue #20): a customer's owner grants a partner Voll- or Teilzugriff; the partner works in the
customer's account through the switch of service access; under Teilzugriff every object outside the shared
products is missing (404) in pages, lists and the API; scope changes and ending take effect at the partner's
next request."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from access.models import ServiceAccess
from audit.models import AuditEntry
from conftest import login, make_contract
from core.access import ActionDenied
from core.roles import Role
from partners import services
from partners.models import Partnership
from partners.services import Right
from tests.test_view_matrix import verified

pytestmark = pytest.mark.django_db

CONTRACT = "contracts.Contract"
DOMAIN = "contracts.Domain"


@pytest.fixture
def shop(world):
    """The customer c1: the contract and domain every tenant has, and a second contract it does not share."""
    c1 = world.c1
    other = make_contract(c1.account, "o20009", note="Nicht geteilt")
    return c1, other


def partner_client(world, client):
    client = login(client, world.r1.owner, world.r1.account)
    verified(client, world.r1.owner)
    return client


def open_account(client, partnership):
    response = client.post(reverse("partners:managed_open", args=[partnership.pk]))
    assert response.status_code == 302, response.content.decode()[:500]


def partial(world, **rights) -> Partnership:
    """c1 gives r1 Teilzugriff: statistics on its contract, technical on its domain (or ``rights``)."""
    c1 = world.c1
    rights = rights or {
        (CONTRACT, c1.contract.pk): Right(technical=False, statistics=True),
        (DOMAIN, c1.domain.pk): Right(technical=True, statistics=False),
    }
    return services.grant_partnership(c1.actor(), world.r1.account, full=False, rights=rights)


class TestGrant:
    def test_the_owner_grants_and_both_sides_see_it(self, world, shop, client_for, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            partnership = partial(world)
        assert partnership.access.via == ServiceAccess.Via.PARTNERSHIP and partnership.access.partial
        (message,) = mail.outbox
        assert message.to == [world.r1.owner.email]
        assert "Kundenfirma" in message.subject
        # The customer's members see it; the partner's administrators see it among their managed customers.
        for user in (world.c1.owner, world.c1.admin, world.c1.employee):
            page = client_for(user).get(reverse("partners:customer_partner_list")).content.decode()
            assert "ZZ-R1-MARKER Agentur" in page, user
        for user in (world.r1.owner, world.r1.admin):
            page = client_for(user).get(reverse("partners:managed_list")).content.decode()
            assert "Kundenfirma" in page, user
        # An employee sees only the managed customers assigned to it (partners/tests/test_managed.py): none yet.
        page = client_for(world.r1.employee).get(reverse("partners:managed_list")).content.decode()
        assert "Kundenfirma" not in page
        assert "Kundenfirma" not in client_for(world.r2.owner).get(reverse("partners:managed_list")).content.decode()
        # The partnership is not a code's service access: not in the service-access list nor the header badge.
        page = client_for(world.r1.owner).get(reverse("access:serviceaccess_list")).content.decode()
        assert "Kundenfirma" not in page

    def test_only_the_owner_grants_and_only_once(self, world, shop):
        with pytest.raises(ActionDenied):
            services.grant_partnership(world.c1.actor(Role.ADMIN), world.r1.account, full=True)
        services.grant_partnership(world.c1.actor(), world.r1.account, full=True)
        with pytest.raises(ValidationError, match="already has access"):
            services.grant_partnership(world.c1.actor(), world.r1.account, full=True)
        with pytest.raises(ValidationError, match="cannot be your partner"):
            services.grant_partnership(world.r2.actor(), world.c1.account, full=True)

    def test_a_partial_access_names_at_least_one_own_product(self, world, shop):
        with pytest.raises(ValidationError, match="at least one product"):
            services.grant_partnership(world.c1.actor(), world.r1.account, full=False, rights={})
        foreign = {(CONTRACT, world.r2.contract.pk): Right(True, True)}
        with pytest.raises(ValidationError, match="only products of your own account"):
            services.grant_partnership(world.c1.actor(), world.r1.account, full=False, rights=foreign)
        assert not Partnership.objects.exists()


class TestPartialAccess:
    def test_only_the_shared_products_exist_for_the_partner(self, world, shop, client):
        c1, other = shop
        partnership = partial(world)
        client = partner_client(world, client)
        open_account(client, partnership)
        contracts = client.get(reverse("contracts:contract_list")).content.decode()
        assert c1.contract.number in contracts and other.number not in contracts
        assert client.get(reverse("contracts:contract_detail", args=[c1.contract.pk])).status_code == 200
        assert client.get(reverse("contracts:contract_detail", args=[other.pk])).status_code == 404
        assert client.get(reverse("contracts:domain_detail", args=[c1.domain.pk])).status_code == 200
        api = client.get("/api/v1/contracts/").json()
        assert [row["number"] for row in api["items"]] == [c1.contract.number]
        assert client.get(f"/api/v1/contracts/{other.pk}/").status_code == 404
        # Everything else of the account is missing too: its members, its activity, its settings.
        assert client.get(reverse("accounts:membership_list")).status_code == 404
        assert client.get("/api/v1/members/").status_code in (403, 404)
        banner = client.get(reverse("dashboard")).content.decode()
        assert "as its partner, with access to the products it shared" in banner

    def test_a_scope_change_holds_from_the_next_request(self, world, shop, client):
        c1, other = shop
        partnership = partial(world)
        client = partner_client(world, client)
        open_account(client, partnership)
        assert client.get(reverse("contracts:contract_detail", args=[other.pk])).status_code == 404
        services.change_scope(
            c1.actor(), partnership, full=False, rights={(CONTRACT, other.pk): Right(technical=True, statistics=True)}
        )
        assert client.get(reverse("contracts:contract_detail", args=[other.pk])).status_code == 200
        assert client.get(reverse("contracts:contract_detail", args=[c1.contract.pk])).status_code == 404
        # No domain is shared any more: its list is missing, and so is the tab leading to it.
        assert client.get(reverse("contracts:domain_list")).status_code == 404
        assert reverse("contracts:domain_list") not in client.get(reverse("contracts:contract_list")).content.decode()
        entry = AuditEntry.objects.filter(account=world.r1.account, action=AuditEntry.Action.UPDATE).latest("pk")
        assert entry.changes["products"][1] == f"Contract {other.pk}: technical, statistics"
        services.change_scope(c1.actor(), partnership, full=True)
        assert client.get(reverse("accounts:membership_list")).status_code == 200

    def test_ending_holds_from_the_next_request_and_tells_the_other_side(
        self, world, shop, client, django_capture_on_commit_callbacks
    ):
        c1, _other = shop
        partnership = partial(world)
        client = partner_client(world, client)
        open_account(client, partnership)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.end_partnership(c1.actor(), partnership)
        response = client.get(reverse("contracts:contract_detail", args=[c1.contract.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert 'data-testid="service-access-banner"' not in client.get(reverse("dashboard")).content.decode()
        assert client.get(reverse("contracts:contract_detail", args=[c1.contract.pk])).status_code == 404
        (message,) = mail.outbox
        assert message.to == [world.r1.owner.email] and "ended the partnership" in message.subject
        with pytest.raises(ValidationError, match="already ended"):
            services.end_partnership(c1.actor(), partnership)


class TestCustomerPage:
    def test_the_owner_changes_the_scope_in_the_form_others_only_read_it(self, world, shop, client_for):
        c1, other = shop
        partnership = partial(world)
        url = reverse("partners:customer_partner_detail", args=[partnership.pk])
        admin = client_for(c1.admin)
        page = admin.get(url).content.decode()
        assert "<fieldset disabled>" in page and 'data-testid="scope-save"' not in page
        assert admin.post(url, {"full": "1"}).status_code == 403
        owner = client_for(c1.owner)
        owner.cookies["django_language"] = "de"
        page = owner.get(url).content.decode()
        assert "Teilzugriff" in page and "technisch" in page and "Statistik" in page
        response = owner.post(url, {"full": "0", f"technical-{CONTRACT}-{other.pk}": "on"})
        assert response.status_code == 302
        assert services.scope_rights(ServiceAccess.objects.get(pk=partnership.access_id)) == {
            (CONTRACT, other.pk): Right(technical=True, statistics=False)
        }
        response = owner.post(url, {"full": "0"})
        assert "Wählen Sie mindestens ein Produkt" in response.content.decode()

    def test_another_account_learns_nothing(self, world, shop, client_for):
        partnership = partial(world)
        for user in (world.r2.owner, world.loner):
            client = client_for(user)
            for name in ("partners:customer_partner_detail", "partners:customer_partner_end"):
                assert client.get(reverse(name, args=[partnership.pk])).status_code in (404, 405), (user, name)
            assert client.post(reverse("partners:managed_open", args=[partnership.pk])).status_code == 404
            assert client.post(reverse("partners:managed_end", args=[partnership.pk])).status_code == 404
        assert Partnership.objects.get().is_active

    def test_the_partner_disconnects_from_its_list(self, world, shop, client_for, django_capture_on_commit_callbacks):
        partnership = partial(world)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.r1.admin).post(reverse("partners:managed_end", args=[partnership.pk]))
        assert response.status_code == 302
        partnership.refresh_from_db()
        assert not partnership.is_active and partnership.ended_by == world.r1.admin
        assert ServiceAccess.objects.get(pk=partnership.access_id).revoked_at is not None
        (message,) = mail.outbox
        assert message.to == [world.c1.owner.email]


def test_a_partner_working_in_the_account_cannot_touch_its_own_partnership(world, shop, client):
    partnership = services.grant_partnership(world.c1.actor(), world.r1.account, full=True)
    client = partner_client(world, client)
    open_account(client, partnership)
    url = reverse("partners:customer_partner_detail", args=[partnership.pk])
    assert client.post(url, {"full": "1"}).status_code == 403
    assert client.post(reverse("partners:customer_partner_end", args=[partnership.pk])).status_code == 403
    assert Partnership.objects.get().is_active
