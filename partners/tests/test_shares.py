"""The customer shares (issue #20, way 2; SECURITY-TESTS INV-03, INV-06, INV-07): a customer's owner finds a
partner by exact name, Kundennummer or owner's e-mail, shares Voll- or Teilzugriff, may withdraw it; the partner
sees the open shares next to "Kunden" and connects them (new or existing end customer) or declines them with a
mail to the customer."""

from __future__ import annotations

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from accounts.models import Account, Membership
from audit.models import AuditEntry
from conftest import api_client, make_tenant
from core.access import ActionDenied
from core.roles import Role
from customers.models import EndCustomer
from partners import shares
from partners.models import PartnerShare, Partnership
from partners.services import Right

pytestmark = pytest.mark.django_db

CONTRACT = "contracts.Contract"
DOMAIN = "contracts.Domain"
NEW_CUSTOMER = {
    "how": "new",
    "new-number": "20003",
    "new-company": "Kundenfirma",
    "new-last_name": "Owner",
    "new-first_name": "C1",
    "new-street": "Hauptstraße 5",
    "new-postal_code": "10115",
    "new-city": "Berlin",
    "new-country": "DE",
    "new-phone": "030 1234567",
    "new-mobile": "0170 1234567",
    "new-email": "c1-owner@example.test",
}


def partial_share(world, **kwargs):
    rights = {(CONTRACT, world.c1.contract.pk): Right(technical=False, statistics=True)}
    return shares.share_access(world.c1.actor(), world.r1.account, full=False, rights=rights, **kwargs)


def entries(account, action, share):
    kind = ContentType.objects.get_for_model(PartnerShare)
    return AuditEntry.objects.filter(account=account, action=action, object_type=kind, object_id=str(share.pk))


class TestFindingAPartner:
    def test_a_partner_is_found_by_its_exact_number_name_or_owners_email(self, world):
        actor = world.c1.actor()
        for query in ("20001", "zz-r1-marker agentur", "  ZZ-R1-MARKER Agentur ", "r1-owner@example.test"):
            assert shares.find_partners(actor, query) == [world.r1.account], query

    def test_nothing_else_is_found(self, world):
        actor = world.c1.actor()
        Account.objects.create(number="20077", name="Stillgelegt", is_partner=True, is_active=False)
        customer = make_tenant("20088", "Andere Kundin", "c2", partner=False)
        for query in (
            "2000",  # a fragment of a number
            "Agentur",  # a fragment of a name
            "%",
            "r1-owner@example",  # a fragment of an address
            "r1-admin@example.test",  # an administrator's address, not the owner's
            "20088",  # an account that is no partner
            "c2-owner@example.test",
            "Andere Kundin",
            "20077",  # an inactive partner
            "",
        ):
            assert shares.find_partners(actor, query) == [], query
        # Its own account is never its partner.
        assert shares.find_partners(world.r1.actor(), "20001") == []
        assert customer.account.pk

    def test_the_search_page_lists_only_what_matches_exactly(self, world, client_for):
        client = client_for(world.c1.owner)
        page = client.get(reverse("partners:share_add"), {"q": "Agentur"}).content.decode()
        assert "ZZ-R1-MARKER" not in page and 'data-testid="no-partner"' in page
        page = client.get(reverse("partners:share_add"), {"q": "20001"}).content.decode()
        assert "ZZ-R1-MARKER Agentur" in page and f"?partner={world.r1.account.pk}" in page

    def test_the_preselected_partner_must_be_a_partner(self, world, client_for):
        client = client_for(world.c1.owner)
        url = reverse("partners:share_add")
        assert client.get(url, {"partner": world.c1.account.pk}).status_code == 404
        assert client.get(url, {"partner": "x"}).status_code == 404
        customer = make_tenant("20088", "Andere Kundin", "c2", partner=False)
        assert client.get(url, {"partner": customer.account.pk}).status_code == 404
        page = client.get(url, {"partner": world.r1.account.pk}).content.decode()
        assert "ZZ-R1-MARKER Agentur" in page and 'data-testid="share-form"' in page


class TestSharing:
    def test_the_owner_shares_partial_access_and_both_sides_see_it(self, world, client_for):
        client = client_for(world.c1.owner)
        response = client.post(
            reverse("partners:share_add"),
            {
                "partner": world.r1.account.pk,
                "full": "0",
                f"statistics-{CONTRACT}-{world.c1.contract.pk}": "on",
                "message": "Bitte <script>alert(1)</script> übernehmen",
            },
        )
        assert response.status_code == 302
        share = PartnerShare.objects.get()
        assert (share.account, share.customer_account, share.granted_by) == (
            world.r1.account,
            world.c1.account,
            world.c1.owner,
        )
        assert share.state == PartnerShare.State.OPEN and not share.full
        assert share.rights == [
            {"product": CONTRACT, "id": world.c1.contract.pk, "technical": False, "statistics": True}
        ]
        assert not Partnership.objects.exists()
        for account in (world.r1.account, world.c1.account):
            assert entries(account, AuditEntry.Action.CREATE, share).count() == 1
        # The customer's members see it waiting; the partner reads the message as text.
        page = client_for(world.c1.employee).get(reverse("partners:customer_partner_list")).content.decode()
        assert 'data-testid="sent-shares"' in page and "ZZ-R1-MARKER Agentur" in page
        assert 'data-testid="withdraw-share"' not in page
        page = client_for(world.r1.admin).get(reverse("partners:share_connect", args=[share.pk])).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
        assert world.c1.contract.number in page

    def test_a_member_who_is_not_the_owner_cannot_share(self, world, client_for):
        for user in (world.c1.admin, world.c1.employee):
            client = client_for(user)
            assert client.get(reverse("partners:share_add")).status_code == 403
            response = client.post(reverse("partners:share_add"), {"partner": world.r1.account.pk, "full": "1"})
            assert response.status_code == 403
            page = client.get(reverse("partners:customer_partner_list")).content.decode()
            assert 'data-testid="add-partner"' not in page
        with pytest.raises(ActionDenied):
            shares.share_access(world.c1.actor(Role.ADMIN), world.r1.account, full=True)
        assert not PartnerShare.objects.exists()
        assert (
            'data-testid="add-partner"'
            in client_for(world.c1.owner).get(reverse("partners:customer_partner_list")).content.decode()
        )

    def test_only_own_products_and_only_partners(self, world):
        foreign = {(CONTRACT, world.r2.contract.pk): Right(True, True)}
        with pytest.raises(ValidationError, match="only products of your own account"):
            shares.share_access(world.c1.actor(), world.r1.account, full=False, rights=foreign)
        with pytest.raises(ValidationError, match="at least one product"):
            shares.share_access(world.c1.actor(), world.r1.account, full=False, rights={})
        with pytest.raises(ValidationError, match="cannot be your partner"):
            shares.share_access(world.r1.actor(), world.c1.account, full=True)
        assert not PartnerShare.objects.exists()

    def test_a_crafted_full_access_field_with_partial_rights_gives_what_was_ticked(self, world, client_for):
        client = client_for(world.c1.owner)
        client.post(
            reverse("partners:share_add"),
            {
                "partner": world.r1.account.pk,
                "full": "0",
                f"technical-{DOMAIN}-{world.c1.domain.pk}": "on",
                f"technical-{CONTRACT}-{world.r2.contract.pk}": "on",  # not a field of this form
                "full_access": "true",
            },
        )
        share = PartnerShare.objects.get()
        assert not share.full
        assert share.rights == [{"product": DOMAIN, "id": world.c1.domain.pk, "technical": True, "statistics": False}]

    def test_one_open_share_per_partner_and_none_to_a_partner_already_in(self, world):
        shares.share_access(world.c1.actor(), world.r1.account, full=True)
        with pytest.raises(ValidationError, match="not answered yet"):
            shares.share_access(world.c1.actor(), world.r1.account, full=True)
        from partners.services import grant_partnership

        grant_partnership(world.c1.actor(), world.r2.account, full=True)
        with pytest.raises(ValidationError, match="already has access"):
            shares.share_access(world.c1.actor(), world.r2.account, full=True)

    def test_a_long_message_is_a_field_error(self, world, client_for):
        response = client_for(world.c1.owner).post(
            reverse("partners:share_add"), {"partner": world.r1.account.pk, "full": "1", "message": "x" * 10_000}
        )
        assert response.status_code == 200
        assert "2000" in response.content.decode()
        assert not PartnerShare.objects.exists()
        with pytest.raises(ValidationError) as error:
            shares.share_access(world.c1.actor(), world.r1.account, full=True, message="x" * 2001)
        assert "message" in error.value.message_dict

    def test_anonymous_users_log_in_first(self, world, client):
        response = client.post(reverse("partners:share_add"), {"partner": world.r1.account.pk, "full": "1"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("users:login"))
        assert not PartnerShare.objects.exists()


class TestWithdrawing:
    def test_the_owner_withdraws_and_it_can_no_longer_be_connected(self, world, client_for):
        share = partial_share(world)
        response = client_for(world.c1.owner).post(reverse("partners:share_withdraw", args=[share.pk]))
        assert response.status_code == 302
        share.refresh_from_db()
        assert share.state == PartnerShare.State.WITHDRAWN
        for account in (world.r1.account, world.c1.account):
            assert entries(account, AuditEntry.Action.REVOKE, share).count() == 1
        with pytest.raises(ValidationError, match="no longer open"):
            shares.connect_share(world.r1.actor(), share, end_customer=world.r1.customer)
        client = client_for(world.r1.owner)
        response = client.get(reverse("partners:share_connect", args=[share.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("partners:share_list")
        assert not Partnership.objects.exists()
        assert client.post(reverse("partners:share_connect", args=[share.pk]), NEW_CUSTOMER).status_code == 302
        assert not Partnership.objects.exists() and not EndCustomer.objects.filter(number="20003").exists()

    def test_only_the_owner_withdraws(self, world, client_for):
        share = partial_share(world)
        assert client_for(world.c1.admin).post(reverse("partners:share_withdraw", args=[share.pk])).status_code == 403
        assert client_for(world.r1.owner).post(reverse("partners:share_withdraw", args=[share.pk])).status_code == 404
        share.refresh_from_db()
        assert share.is_open


class TestBadge:
    def test_the_open_shares_are_counted_next_to_customers(self, world, client_for, django_assert_num_queries):
        second = make_tenant("20088", "Andere Kundin", "c2", partner=False)
        partial_share(world)
        declined = shares.share_access(second.actor(), world.r1.account, full=True)
        shares.share_access(world.c1.actor(), world.r2.account, full=True)  # another partner's
        with django_assert_num_queries(1):
            assert shares.open_share_count(world.r1.actor()) == 2
        page = client_for(world.r1.owner).get(reverse("dashboard")).content.decode()
        assert '<span class="badge rounded-pill text-bg-light ms-1" data-testid="badge">2</span>' in page
        shares.decline_share(world.r1.actor(), declined)
        assert shares.open_share_count(world.r1.actor()) == 1
        # Those who cannot act on shares see no number: employees, customers, while working in another account.
        assert shares.open_share_count(world.r1.actor(Role.EMPLOYEE)) == 0
        assert shares.open_share_count(world.c1.actor()) == 0
        page = client_for(world.r1.employee).get(reverse("dashboard")).content.decode()
        assert 'data-testid="badge"' not in page
        page = client_for(world.r1.owner).get(reverse("customers:endcustomer_list")).content.decode()
        assert reverse("partners:share_list") + "?state=open" in page


class TestConnecting:
    def test_connect_as_a_new_customer_from_the_customers_data(self, world, client_for):
        share = partial_share(world)
        client = client_for(world.r1.admin)
        page = client.get(reverse("partners:share_connect", args=[share.pk])).content.decode()
        # Taken over: the account's number and name, its owner's name and address.
        for value in ('value="20003"', 'value="Kundenfirma"', 'value="c1-owner@example.test"', 'value="C1-Owner"'):
            assert value in page, value
        response = client.post(reverse("partners:share_connect", args=[share.pk]), NEW_CUSTOMER)
        assert response.status_code == 302, response.content.decode()[:3000]
        customer = EndCustomer.objects.get(account=world.r1.account, number="20003")
        assert response["Location"] == reverse("customers:endcustomer_detail", args=[customer.pk])
        partnership = Partnership.objects.get()
        assert (partnership.account, partnership.customer_account, partnership.end_customer) == (
            world.r1.account,
            world.c1.account,
            customer,
        )
        access = partnership.access
        assert access.partial and access.sharer == world.c1.owner
        assert [(i.product, i.object_id, i.technical, i.statistics) for i in access.scope_items.all()] == [
            (CONTRACT, world.c1.contract.pk, False, True)
        ]
        share.refresh_from_db()
        assert share.state == PartnerShare.State.CONNECTED and share.partnership == partnership
        assert share.decided_by == world.r1.admin
        for account in (world.r1.account, world.c1.account):
            assert entries(account, AuditEntry.Action.UPDATE, share).get().user == world.r1.admin
            # The partnership itself is the owner's grant, in both accounts.
            kind = ContentType.objects.get_for_model(Partnership)
            grant = AuditEntry.objects.get(
                account=account, action="create", object_type=kind, object_id=str(partnership.pk)
            )
            assert grant.user == world.c1.owner
        assert shares.open_share_count(world.r1.actor()) == 0
        page = client.get(reverse("partners:managed_list")).content.decode()
        assert "Kundenfirma" in page

    def test_connect_to_an_existing_customer(self, world, client_for):
        share = shares.share_access(world.c1.actor(), world.r1.account, full=True)
        response = client_for(world.r1.owner).post(
            reverse("partners:share_connect", args=[share.pk]),
            {"how": "existing", "end_customer": world.r1.customer.pk},
        )
        assert response.status_code == 302
        partnership = Partnership.objects.get()
        assert partnership.end_customer == world.r1.customer and not partnership.access.partial
        assert EndCustomer.objects.filter(account=world.r1.account).count() == 2

    def test_another_partners_customer_is_a_field_error_and_the_share_stays_open(self, world, client_for):
        share = partial_share(world)
        response = client_for(world.r1.owner).post(
            reverse("partners:share_connect", args=[share.pk]),
            {"how": "existing", "end_customer": world.r2.customer.pk},
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        share.refresh_from_db()
        assert share.is_open and not Partnership.objects.exists()
        with pytest.raises(Exception):  # noqa: B017  # 404 of the customer lookup, whatever its class
            shares.connect_share(world.r1.actor(), share, end_customer=world.r2.customer)
        share.refresh_from_db()
        assert share.is_open and not Partnership.objects.exists()

    def test_a_taken_customer_number_is_a_field_error(self, world, client_for):
        share = partial_share(world)
        response = client_for(world.r1.owner).post(
            reverse("partners:share_connect", args=[share.pk]), {**NEW_CUSTOMER, "new-number": "R1-1"}
        )
        assert response.status_code == 200
        assert "You already have a customer with this customer number." in response.content.decode()
        share.refresh_from_db()
        assert share.is_open and not Partnership.objects.exists()

    def test_a_share_connected_twice_gives_exactly_one_partnership(self, world):
        share = partial_share(world)
        first = shares.connect_share(world.r1.actor(), share, end_customer=world.r1.customer)
        # The second click read the share while it was still open; the conditional update refuses it.
        assert share.is_open
        with pytest.raises(ValidationError, match="no longer open"):
            shares.connect_share(world.r1.actor(Role.ADMIN), share, end_customer=world.r1.plain_customer)
        assert list(Partnership.objects.all()) == [first]
        assert first.end_customer == world.r1.customer

    def test_the_owners_consent_ends_with_their_ownership(self, world):
        share = partial_share(world)
        Membership.objects.filter(account=world.c1.account, user=world.c1.owner).update(role=Role.ADMIN)
        with pytest.raises(ValidationError, match="no longer the customer's owner"):
            shares.connect_share(world.r1.actor(), share, end_customer=world.r1.customer)
        share.refresh_from_db()
        assert share.is_open and not Partnership.objects.exists()

    def test_a_share_whose_owner_was_deleted_cannot_be_connected(self, world, client_for):
        share = partial_share(world)
        world.c1.owner.delete()
        share.refresh_from_db()
        assert share.granted_by is None
        with pytest.raises(ValidationError, match="no longer the customer's owner"):
            shares.connect_share(world.r1.actor(), share, new_customer=EndCustomer(number="N-1"))
        assert client_for(world.r1.owner).get(reverse("partners:share_connect", args=[share.pk])).status_code == 200
        share.refresh_from_db()
        assert share.is_open and not Partnership.objects.exists()

    def test_employees_and_other_partners_cannot_connect(self, world, client_for):
        share = partial_share(world)
        url = reverse("partners:share_connect", args=[share.pk])
        assert client_for(world.r1.employee).post(url, NEW_CUSTOMER).status_code == 403
        assert client_for(world.r2.owner).post(url, NEW_CUSTOMER).status_code == 404
        assert client_for(world.c1.owner).post(url, NEW_CUSTOMER).status_code == 404
        assert not Partnership.objects.exists()


class TestDeclining:
    def test_decline_mails_the_customer_the_standard_text_and_the_message(
        self, world, client_for, django_capture_on_commit_callbacks
    ):
        share = partial_share(world)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.r1.admin).post(
                reverse("partners:share_decline", args=[share.pk]),
                {"message": "Leider ausgebucht.\r\nBcc: x@evil.test"},
            )
        assert response.status_code == 302
        share.refresh_from_db()
        assert share.state == PartnerShare.State.DECLINED
        (message,) = mail.outbox
        assert message.to == [world.c1.owner.email] and message.bcc == [] and message.cc == []
        assert "ZZ-R1-MARKER Agentur" in message.subject and "\n" not in message.subject
        assert "has declined the access to your account" in message.body
        assert "Leider ausgebucht." in message.body
        for account in (world.r1.account, world.c1.account):
            assert entries(account, AuditEntry.Action.UPDATE, share).count() == 1
        page = client_for(world.c1.owner).get(reverse("partners:customer_partner_list")).content.decode()
        assert "Leider ausgebucht." in page
        with pytest.raises(ValidationError, match="no longer open"):
            shares.connect_share(world.r1.actor(), share, end_customer=world.r1.customer)

    def test_decline_in_german_without_a_message(self, world, client_for, django_capture_on_commit_callbacks):
        share = partial_share(world)
        client = client_for(world.r1.owner)
        client.cookies["django_language"] = "de"
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("partners:share_decline", args=[share.pk]), {"message": ""})
        (message,) = mail.outbox
        assert message.to == [world.c1.owner.email]
        assert "abgelehnt" in message.subject
        # Both activity lists read it, each naming the other account.
        page = client.get(reverse("audit:auditentry_list")).content.decode()
        assert "Kundenfirma (20003)" in page and "offen → abgelehnt" in page
        customer = client_for(world.c1.owner)
        customer.cookies["django_language"] = "de"
        page = customer.get(reverse("audit:auditentry_list")).content.decode()
        assert "ZZ-R1-MARKER Agentur (20001)" in page and "offen → abgelehnt" in page
        assert "Vertrag o20003" in page or "o20003" in page
        entry = AuditEntry.objects.filter(account=world.c1.account, action="update").get()
        assert (
            entry.sentence
            == "r1-owner hat die Zugriffsfreigabe zwischen diesem Konto und ZZ-R1-MARKER Agentur (20001) beantwortet"
        )


class TestApi:
    def test_the_customer_shares_lists_and_withdraws(self, world):
        client = api_client(world.c1)
        found = client.get("/api/v1/me/partner-shares/partners/", {"q": "20001"}).json()
        assert found == [{"id": world.r1.account.pk, "number": "20001", "name": "ZZ-R1-MARKER Agentur"}]
        assert client.get("/api/v1/me/partner-shares/partners/", {"q": "Agentur"}).json() == []
        body = {
            "partner": world.r1.account.pk,
            "full": False,
            "rights": [{"product": CONTRACT, "id": world.c1.contract.pk, "statistics": True}],
            "message": "Hallo",
        }
        response = client.post("/api/v1/me/partner-shares/", body, content_type="application/json")
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["state"] == "open" and created["partner"]["number"] == "20001"
        assert created["rights"] == [
            {"product": CONTRACT, "id": world.c1.contract.pk, "technical": False, "statistics": True}
        ]
        assert [row["id"] for row in client.get("/api/v1/me/partner-shares/").json()] == [created["id"]]
        response = client.post(f"/api/v1/me/partner-shares/{created['id']}/withdraw/")
        assert response.status_code == 200 and response.json()["state"] == "withdrawn"
        assert client.post(f"/api/v1/me/partner-shares/{created['id']}/withdraw/").status_code == 422

    def test_bodies_are_strict_and_partners_only(self, world):
        client = api_client(world.c1)
        for body in (
            {"partner": world.r1.account.pk, "full": True, "full_access": True},
            {"partner": str(world.r1.account.pk), "full": True},
            {"partner": world.r1.account.pk, "full": "true"},
            {"partner": world.r1.account.pk, "full": False, "rights": [{"product": "accounts.Account", "id": 1}]},
        ):
            response = client.post("/api/v1/me/partner-shares/", body, content_type="application/json")
            assert response.status_code == 422, body
        non_partner = make_tenant("20088", "Andere Kundin", "c2", partner=False)
        response = client.post(
            "/api/v1/me/partner-shares/",
            {"partner": non_partner.account.pk, "full": True},
            content_type="application/json",
        )
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["partner"]
        response = api_client(world.c1, Role.ADMIN).post(
            "/api/v1/me/partner-shares/",
            {"partner": world.r1.account.pk, "full": True},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert not PartnerShare.objects.exists()

    def test_the_partner_lists_connects_and_declines(self, world, django_capture_on_commit_callbacks):
        first = partial_share(world)
        second = shares.share_access(
            make_tenant("20088", "Andere Kundin", "c2", partner=False).actor(), world.r1.account, full=True
        )
        client = api_client(world.r1, Role.ADMIN)
        listed = client.get("/api/v1/partner-shares/", {"state": "open"}).json()
        assert sorted(row["id"] for row in listed["items"]) == sorted([first.pk, second.pk])
        response = client.post(
            f"/api/v1/partner-shares/{first.pk}/connect/",
            {
                "new_customer": {
                    "last_name": "Owner",
                    "street": "Weg 1",
                    "postal_code": "10115",
                    "city": "Berlin",
                    "phone": "030 1234567",
                    "mobile": "0170 1234567",
                }
            },
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "connected"
        partnership = Partnership.objects.get()
        assert partnership.end_customer.number == "20003" and partnership.end_customer.company == "Kundenfirma"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/v1/partner-shares/{second.pk}/decline/", {"message": "Nein"}, content_type="application/json"
            )
        assert response.status_code == 200 and response.json()["state"] == "declined"
        assert len(mail.outbox) == 1
        response = client.post(
            f"/api/v1/partner-shares/{second.pk}/connect/",
            {"end_customer": world.r1.customer.pk},
            content_type="application/json",
        )
        assert response.status_code == 422

    def test_other_accounts_shares_are_404_and_employees_403(self, world):
        share = partial_share(world)
        body = {"end_customer": world.r1.customer.pk}
        outsider = api_client(world.r2)
        assert (
            outsider.post(
                f"/api/v1/partner-shares/{share.pk}/connect/", body, content_type="application/json"
            ).status_code
            == 404
        )
        assert (
            outsider.post(
                f"/api/v1/partner-shares/{share.pk}/decline/", {}, content_type="application/json"
            ).status_code
            == 404
        )
        assert outsider.post(f"/api/v1/me/partner-shares/{share.pk}/withdraw/").status_code == 404
        employee = api_client(world.r1, Role.EMPLOYEE)
        assert (
            employee.post(
                f"/api/v1/partner-shares/{share.pk}/connect/", body, content_type="application/json"
            ).status_code
            == 403
        )
        response = api_client(world.r1).post(
            f"/api/v1/partner-shares/{share.pk}/connect/",
            {"end_customer": world.r2.customer.pk},
            content_type="application/json",
        )
        assert response.status_code == 422
        share.refresh_from_db()
        assert share.is_open and not Partnership.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking (two connections)")
def test_two_simultaneous_connects_make_exactly_one_partnership(world):
    share = partial_share(world)
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def connect(key, customer):
        try:
            barrier.wait()
            results[key] = shares.connect_share(world.r1.actor(), share, end_customer=customer)
        except Exception as error:  # the outcome is what the test asserts
            results[key] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=connect, args=("a", world.r1.customer)),
        threading.Thread(target=connect, args=("b", world.r1.plain_customer)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(type(result).__name__ for result in results.values()) == ["Partnership", "ValidationError"]
    assert Partnership.objects.count() == 1


def test_a_customer_shares_from_the_partners_public_profile(world, client_for):
    """IONOS: "Zugriff freigeben" on the public profile leads the customer's owner to the share form with the
    partner chosen; others do not see the button."""
    from profiles.models import PartnerProfile

    profile = PartnerProfile.objects.create(
        account=world.r1.account, display_name="R1 Agentur", slug="r1-agentur", is_public=True
    )
    url = reverse("partners:share_from_profile", args=[profile.pk])
    owner = client_for(world.c1.owner)
    page = owner.get(reverse("profiles:public_profile", args=["r1-agentur"])).content.decode()
    assert f'href="{url}"' in page
    response = owner.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('partners:share_add')}?partner={world.r1.account.pk}"
    for user in (world.c1.admin, world.r1.owner):
        page = client_for(user).get(reverse("profiles:public_profile", args=["r1-agentur"])).content.decode()
        assert f'href="{url}"' not in page, user
    PartnerProfile.objects.filter(pk=profile.pk).update(is_public=False)
    assert owner.get(url).status_code == 404


def test_a_search_with_a_nul_finds_nothing_and_is_no_error(world):
    """PostgreSQL refuses a NUL in a query; no name, number or address holds one (found by the API fuzz)."""
    from partners.shares import find_partners

    assert find_partners(world.c1.actor(), "10001\x00") == []
