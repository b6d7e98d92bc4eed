"""Managed customers (issue #20): the partner's owner assigns them to employees, who see exactly those under
Meine Kunden and work in exactly those, within the partnership's scope; e-mail copies of the customer's mail
with Vollzugriff (never of a mail with a link, a code or a token); the link to the partner's MKM customer."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from access import services as access_services
from audit.models import AuditEntry
from conftest import api_client, login, make_customer, make_tenant
from core.access import ActionDenied
from core.mail import register_copyable, send_templated_mail
from core.roles import Role
from partners import managed, services
from partners.models import Partnership
from partners.services import Right
from tests.test_view_matrix import verified

pytestmark = pytest.mark.django_db

CONTRACT = "contracts.Contract"


@pytest.fixture
def two(world):
    """R1 manages C1 (Vollzugriff) and C2 (Vollzugriff); its employee is assigned to C1 only."""
    c2 = make_tenant("20004", "Zweitkunde GmbH", "c2", partner=False)
    first = services.grant_partnership(world.c1.actor(), world.r1.account, full=True)
    second = services.grant_partnership(c2.actor(), world.r1.account, full=True)
    managed.assign_employees(world.r1.actor(), first, [world.r1.employee])
    return first, second, c2


def member_client(client, user, account):
    login(client, user, account)
    verified(client, user)
    return client


def employee_client(world, client):
    return member_client(client, world.r1.employee, world.r1.account)


class TestEmployees:
    def test_an_assigned_employee_sees_and_opens_exactly_that_one(self, world, two, client):
        first, second, c2 = two
        client = employee_client(world, client)
        page = client.get(reverse("partners:managed_list")).content.decode()
        assert "Kundenfirma" in page and "Zweitkunde" not in page
        assert "My customers" in page
        assert client.get(reverse("partners:managed_detail", args=[first.pk])).status_code == 200
        assert client.get(reverse("partners:managed_detail", args=[second.pk])).status_code == 404
        assert client.post(reverse("partners:managed_open", args=[second.pk])).status_code == 404
        response = client.post(reverse("partners:managed_open", args=[first.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        # Inside: the customer's account with the partnership's rights (Vollzugriff: the owner's).
        contracts = client.get(reverse("contracts:contract_list")).content.decode()
        assert world.c1.contract.number in contracts
        assert 'data-testid="service-access-banner"' in client.get(reverse("dashboard")).content.decode()
        entry = AuditEntry.objects.filter(account=world.c1.account, action=AuditEntry.Action.SWITCH_IN).get()
        assert entry.user == world.r1.employee

    def test_an_employee_not_assigned_sees_none(self, world, two, client):
        first, second, _c2 = two
        managed.assign_employees(world.r1.actor(), first, [])
        client = employee_client(world, client)
        page = client.get(reverse("partners:managed_list")).content.decode()
        assert "Kundenfirma" not in page and "Zweitkunde" not in page
        for partnership in (first, second):
            assert client.post(reverse("partners:managed_open", args=[partnership.pk])).status_code == 404
            assert client.get(reverse("partners:managed_detail", args=[partnership.pk])).status_code == 404

    def test_owners_and_administrators_reach_every_managed_customer(self, world, two, client_for):
        for user in (world.r1.owner, world.r1.admin):
            page = client_for(user).get(reverse("partners:managed_list")).content.decode()
            assert "Kundenfirma" in page and "Zweitkunde" in page
            assert "Managed customers" in page

    def test_the_menu_names_them_my_customers_for_an_employee(self, world, two, client_for):
        page = client_for(world.r1.employee).get(reverse("dashboard")).content.decode()
        assert "My customers" in page and "Managed customers" not in page
        page = client_for(world.r1.admin).get(reverse("dashboard")).content.decode()
        assert "Managed customers" in page and "My customers" not in page

    def test_only_the_owner_assigns_and_only_its_own_employees(self, world, two):
        first, _second, _c2 = two
        with pytest.raises(ActionDenied):
            managed.assign_employees(world.r1.actor(Role.ADMIN), first, [])
        with pytest.raises(ActionDenied):
            managed.assign_employees(world.r1.actor(Role.EMPLOYEE), first, [])
        with pytest.raises(ValidationError, match="only employees of your own account"):
            managed.assign_employees(world.r1.actor(), first, [world.r2.employee])
        # Administrators reach every managed customer anyway: they are not among the choices.
        with pytest.raises(ValidationError, match="only employees of your own account"):
            managed.assign_employees(world.r1.actor(), first, [world.r1.admin])
        with pytest.raises(Http404):
            managed.assign_employees(world.r2.actor(), first, [])
        assert managed.assigned_employees(first) == [world.r1.employee]

    def test_the_owner_assigns_on_the_page_and_the_activity_says_so(self, world, two, client):
        _first, second, _c2 = two
        client = member_client(client, world.r1.owner, world.r1.account)
        page = client.get(reverse("partners:managed_detail", args=[second.pk])).content.decode()
        assert 'data-testid="assign-form"' in page
        response = client.post(
            reverse("partners:managed_assign", args=[second.pk]), {"employees": [world.r1.employee.pk]}
        )
        assert response.status_code == 302
        assert managed.assigned_employees(second) == [world.r1.employee]
        entry = AuditEntry.objects.filter(account=world.r1.account, action=AuditEntry.Action.UPDATE).latest("pk")
        assert entry.changes == {"employees": ["", "r1-employee"]}
        # An administrator sees who is assigned, without the form.
        admin = member_client(type(client)(), world.r1.admin, world.r1.account)
        page = admin.get(reverse("partners:managed_detail", args=[second.pk])).content.decode()
        assert 'data-testid="assign-form"' not in page and "R1-Employee" in page

    def test_removing_the_assignment_ends_the_employees_switch_at_its_next_request(self, world, two, client):
        first, _second, _c2 = two
        client = employee_client(world, client)
        client.post(reverse("partners:managed_open", args=[first.pk]))
        assert client.get(reverse("contracts:contract_detail", args=[world.c1.contract.pk])).status_code == 200
        managed.assign_employees(world.r1.actor(), first, [])
        response = client.get(reverse("contracts:contract_detail", args=[world.c1.contract.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert client.get(reverse("contracts:contract_detail", args=[world.c1.contract.pk])).status_code == 404

    def test_under_partial_access_the_employee_has_the_scope(self, world, client):
        other = world.c1.contract.__class__.objects.create(
            account=world.c1.account, number="o29999", shop_product=world.c1.contract.shop_product
        )
        partnership = services.grant_partnership(
            world.c1.actor(),
            world.r1.account,
            full=False,
            rights={(CONTRACT, world.c1.contract.pk): Right(technical=False, statistics=True)},
        )
        managed.assign_employees(world.r1.actor(), partnership, [world.r1.employee])
        client = employee_client(world, client)
        client.post(reverse("partners:managed_open", args=[partnership.pk]))
        assert client.get(reverse("contracts:contract_detail", args=[world.c1.contract.pk])).status_code == 200
        assert client.get(reverse("contracts:contract_detail", args=[other.pk])).status_code == 404
        assert client.get(reverse("accounts:membership_list")).status_code == 404

    def test_an_employee_switches_into_no_code_access_of_its_account(self, world, two):
        """The assignment is the only way in for an employee: a code's access stays the administrators'."""
        code = access_services.issue_code(world.c1.actor())
        access = access_services.redeem(world.r1.actor(Role.ADMIN), code)
        assert list(access_services.usable_by(world.r1.actor(Role.EMPLOYEE)).values_list("pk", flat=True)) == [
            two[0].access_id
        ]
        assert access.pk in access_services.usable_by(world.r1.actor(Role.ADMIN)).values_list("pk", flat=True)


class TestEmailCopy:
    def test_a_copy_of_the_customers_mail_reaches_the_partners_owner(
        self, world, two, smtp_server, django_capture_on_commit_callbacks
    ):
        first, _second, _c2 = two
        managed.set_email_copy(world.r1.actor(Role.ADMIN), first, True)
        code = access_services.issue_code(world.c1.actor())
        with django_capture_on_commit_callbacks(execute=True):
            access_services.redeem(world.r2.actor(Role.ADMIN), code)
        recipients = sorted(address for message in smtp_server.messages for address in message.rcpt_tos)
        assert recipients == [world.c1.owner.email, world.r1.owner.email]
        (copy,) = [message for message in smtp_server.messages if message.rcpt_tos == [world.r1.owner.email]]
        content = copy.content.decode()
        assert "Copy:" in content and "Kundenfirma" in content
        assert world.c1.owner.email not in copy.rcpt_tos

    def test_no_copy_without_the_switch_or_after_the_end(self, world, two, django_capture_on_commit_callbacks):
        first, _second, _c2 = two
        with django_capture_on_commit_callbacks(execute=True):
            access_services.redeem(world.r2.actor(Role.ADMIN), access_services.issue_code(world.c1.actor()))
        assert [message.to for message in mail.outbox] == [[world.c1.owner.email]]
        managed.set_email_copy(world.r1.actor(), first, True)
        services.end_partnership(world.r1.actor(), first)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            access_services.redeem(world.r2.actor(Role.ADMIN), access_services.issue_code(world.c1.actor(Role.ADMIN)))
        assert [message.to for message in mail.outbox] == [[world.c1.owner.email]]

    def test_mails_with_a_link_a_code_or_a_token_are_never_copied(self, world, two, django_capture_on_commit_callbacks):
        first, _second, _c2 = two
        managed.set_email_copy(world.r1.actor(), first, True)
        c1 = world.c1
        with django_capture_on_commit_callbacks(execute=True):
            # A password reset and a member invitation, said to be about the customer: not copyable templates.
            send_templated_mail(
                "users/email/password_reset",
                {"user": c1.owner, "link": "https://portal.test/reset/x/"},
                to=[c1.owner.email],
                about=c1.account,
            )
            from accounts.services import invite_member

            invite_member(c1.actor(), email="neu@example.test", role=Role.EMPLOYEE)
        assert sorted(address for message in mail.outbox for address in message.to) == [
            c1.owner.email,
            "neu@example.test",
        ]
        # Even a template registered as copyable is not copied when its context carries a secret.
        register_copyable("access/email/replayed")
        with django_capture_on_commit_callbacks(execute=True):
            send_templated_mail(
                "access/email/replayed",
                {"account": c1.account, "provider": world.r2.account, "code": "1234"},
                to=[c1.owner.email],
                about=c1.account,
            )
        assert world.r1.owner.email not in [address for message in mail.outbox for address in message.to]

    def test_only_with_full_access_and_only_for_administrators(self, world, two):
        first, _second, _c2 = two
        with pytest.raises(ActionDenied):
            managed.set_email_copy(world.r1.actor(Role.EMPLOYEE), first, True)
        with pytest.raises(Http404):
            managed.set_email_copy(world.r2.actor(), first, True)
        partial = services.change_scope(
            world.c1.actor(), first, full=False, rights={(CONTRACT, world.c1.contract.pk): Right(True, True)}
        )
        with pytest.raises(ValidationError, match="only available with full access"):
            managed.set_email_copy(world.r1.actor(), partial, True)
        assert not Partnership.objects.get(pk=first.pk).email_copy

    def test_a_copy_stops_when_the_customer_narrows_the_access(self, world, two):
        first, _second, _c2 = two
        managed.set_email_copy(world.r1.actor(), first, True)
        assert managed.copy_recipients(world.c1.account.pk, "access/email/redeemed", []) == [world.r1.owner.email]
        services.change_scope(
            world.c1.actor(), first, full=False, rights={(CONTRACT, world.c1.contract.pk): Right(True, True)}
        )
        assert managed.copy_recipients(world.c1.account.pk, "access/email/redeemed", []) == []

    def test_the_administrator_switches_it_on_the_page_and_the_customer_reads_it(self, world, two, client):
        first, _second, _c2 = two
        client = member_client(client, world.r1.admin, world.r1.account)
        response = client.post(reverse("partners:managed_email_copy", args=[first.pk]), {"email_copy": "1"})
        assert response.status_code == 302
        page = client.get(reverse("partners:managed_detail", args=[first.pk])).content.decode()
        assert 'data-testid="email-copy-on"' in page
        entry = AuditEntry.objects.filter(account=world.c1.account, action=AuditEntry.Action.UPDATE).latest("pk")
        assert entry.changes == {"email_copy": ["False", "True"]}


class TestEndCustomerLink:
    def test_the_end_customers_page_opens_the_account_and_lists_the_shared_products(self, world, two, client):
        first, _second, _c2 = two
        managed.link_end_customer(world.r1.actor(Role.ADMIN), first, world.r1.customer)
        client = member_client(client, world.r1.admin, world.r1.account)
        customer = world.r1.customer
        page = client.get(reverse("customers:endcustomer_detail", args=[customer.pk])).content.decode()
        assert reverse("partners:endcustomer_open", args=[customer.pk]) in page
        assert reverse("partners:endcustomer_disconnect", args=[customer.pk]) in page
        products = client.get(reverse("customers:endcustomer_products", args=[customer.pk])).content.decode()
        assert 'data-testid="shared-products"' in products and world.c1.contract.number in products
        domains = client.get(reverse("contracts:endcustomer_domains", args=[customer.pk])).content.decode()
        assert str(world.c1.domain) in domains
        response = client.post(reverse("partners:endcustomer_open", args=[customer.pk]))
        assert response.status_code == 302
        assert 'data-testid="service-access-banner"' in client.get(reverse("dashboard")).content.decode()

    def test_the_employee_sees_the_buttons_of_its_assigned_customer_only(self, world, two, client):
        first, second, _c2 = two
        managed.link_end_customer(world.r1.actor(), first, world.r1.customer)
        managed.link_end_customer(world.r1.actor(), second, world.r1.plain_customer)
        client = employee_client(world, client)
        page = client.get(reverse("customers:endcustomer_detail", args=[world.r1.customer.pk])).content.decode()
        assert reverse("partners:endcustomer_open", args=[world.r1.customer.pk]) in page
        assert reverse("partners:endcustomer_disconnect", args=[world.r1.customer.pk]) not in page
        plain = world.r1.plain_customer
        page = client.get(reverse("customers:endcustomer_products", args=[plain.pk])).content.decode()
        assert reverse("partners:endcustomer_open", args=[plain.pk]) not in page
        assert 'data-testid="shared-products"' not in page
        assert client.post(reverse("partners:endcustomer_open", args=[plain.pk])).status_code == 404
        assert client.post(reverse("partners:endcustomer_disconnect", args=[world.r1.customer.pk])).status_code == 403

    def test_only_own_end_customers_and_one_managed_customer_each(self, world, two):
        first, second, _c2 = two
        with pytest.raises(Http404):
            managed.link_end_customer(world.r1.actor(), first, world.r2.customer)
        with pytest.raises(ActionDenied):
            managed.link_end_customer(world.r1.actor(Role.EMPLOYEE), first, world.r1.customer)
        managed.link_end_customer(world.r1.actor(), first, world.r1.customer)
        with pytest.raises(ValidationError, match="already linked"):
            managed.link_end_customer(world.r1.actor(), second, world.r1.customer)
        managed.link_end_customer(world.r1.actor(), first, None)
        assert Partnership.objects.get(pk=first.pk).end_customer is None

    @pytest.mark.parametrize("end_too", [False, True])
    def test_deleting_the_end_customer_asks_whether_to_end_the_partnership(
        self, world, two, client, end_too, django_capture_on_commit_callbacks
    ):
        first, _second, _c2 = two
        plain = world.r1.plain_customer
        managed.link_end_customer(world.r1.actor(), first, plain)
        client = member_client(client, world.r1.owner, world.r1.account)
        page = client.get(reverse("customers:endcustomer_delete", args=[plain.pk])).content.decode()
        assert 'data-testid="delete-option-end_partnership"' in page and "Kundenfirma" in page
        data = {"end_partnership": "1"} if end_too else {}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("customers:endcustomer_delete", args=[plain.pk]), data)
        assert response.status_code == 302
        first.refresh_from_db()
        assert first.end_customer is None
        assert (first.ended_at is not None) is end_too
        assert [message.to for message in mail.outbox] == ([[world.c1.owner.email]] if end_too else [])

    def test_a_customer_that_cannot_be_deleted_keeps_its_partnership(self, world, two, client):
        first, _second, _c2 = two
        customer = make_customer(world.r1.account, "R1-9")
        managed.link_end_customer(world.r1.actor(), first, customer)
        world.r1.portal_user.end_customer = customer
        world.r1.portal_user.save()
        client = member_client(client, world.r1.owner, world.r1.account)
        client.post(reverse("customers:endcustomer_delete", args=[customer.pk]), {"end_partnership": "1"})
        first.refresh_from_db()
        assert first.ended_at is None and first.end_customer == customer


class TestApi:
    def test_an_assigned_employee_reads_and_opens_exactly_that_one(self, world, two):
        first, second, _c2 = two
        client = api_client(world.r1, Role.EMPLOYEE)
        rows = client.get("/api/v1/managed-customers/").json()["items"]
        assert [row["id"] for row in rows] == [first.pk]
        assert client.get(f"/api/v1/managed-customers/{first.pk}/").json()["scope"] == {"full": True, "products": []}
        assert client.get(f"/api/v1/managed-customers/{second.pk}/").status_code == 404
        assert client.delete(f"/api/v1/managed-customers/{first.pk}/").status_code == 403
        body = {"employees": []}
        assert (
            client.put(f"/api/v1/managed-customers/{first.pk}/employees/", body, "application/json").status_code == 403
        )

    def test_the_owner_assigns_and_administrators_change_the_rest(self, world, two):
        first, second, _c2 = two
        owner, admin = api_client(world.r1, Role.OWNER), api_client(world.r1, Role.ADMIN)
        url = f"/api/v1/managed-customers/{second.pk}/employees/"
        body = {"employees": [world.r1.employee.pk]}
        assert admin.put(url, body, "application/json").status_code == 403
        response = owner.put(url, body, "application/json")
        assert response.status_code == 200 and response.json()["employees"] == [world.r1.employee.pk]
        bad = owner.put(url, {"employees": [world.r2.employee.pk]}, "application/json")
        assert bad.status_code == 422
        copy = admin.patch(f"/api/v1/managed-customers/{first.pk}/", {"email_copy": True}, "application/json")
        assert copy.status_code == 200 and copy.json()["email_copy"] is True
        link = admin.patch(
            f"/api/v1/managed-customers/{first.pk}/", {"end_customer": world.r1.customer.pk}, "application/json"
        )
        assert link.status_code == 200 and link.json()["end_customer"] == world.r1.customer.pk
        foreign = admin.patch(
            f"/api/v1/managed-customers/{first.pk}/", {"end_customer": world.r2.customer.pk}, "application/json"
        )
        assert foreign.status_code == 404
        listed = admin.get(f"/api/v1/managed-customers/?employee={world.r1.employee.pk}").json()["items"]
        assert sorted(row["id"] for row in listed) == sorted([first.pk, second.pk])
        assert api_client(world.r2).get(f"/api/v1/managed-customers/{first.pk}/").status_code == 404
        assert admin.delete(f"/api/v1/managed-customers/{first.pk}/").status_code == 204
        assert Partnership.objects.get(pk=first.pk).ended_at is not None

    def test_the_customer_side_reads_changes_and_ends(self, world, two):
        first, _second, _c2 = two
        owner, employee = api_client(world.c1, Role.OWNER), api_client(world.c1, Role.EMPLOYEE)
        rows = employee.get("/api/v1/me/partners/").json()["items"]
        assert [row["partner_number"] for row in rows] == [world.r1.account.number]
        url = f"/api/v1/me/partners/{first.pk}/"
        scope = {"full": False, "products": [{"product": CONTRACT, "id": world.c1.contract.pk, "technical": True}]}
        assert employee.put(f"{url}scope/", scope, "application/json").status_code == 403
        response = owner.put(f"{url}scope/", scope, "application/json")
        assert response.status_code == 200
        assert response.json()["scope"] == {
            "full": False,
            "products": [{"product": CONTRACT, "id": world.c1.contract.pk, "technical": True, "statistics": False}],
        }
        foreign = {"full": False, "products": [{"product": CONTRACT, "id": world.r2.contract.pk, "technical": True}]}
        assert owner.put(f"{url}scope/", foreign, "application/json").status_code == 422
        assert api_client(world.r2).get(url).status_code == 404
        assert employee.delete(url).status_code == 403
        assert owner.delete(url).status_code == 204
        assert owner.get(url).status_code == 404


def test_the_switched_actor_refuses_everything_of_the_managed_pages(world, two, client):
    first, _second, _c2 = two
    client = member_client(client, world.r1.owner, world.r1.account)
    client.post(reverse("partners:managed_open", args=[first.pk]))
    for name in ("partners:managed_detail", "partners:managed_list"):
        kwargs = {"pk": first.pk} if name.endswith("detail") else None
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403
    with pytest.raises(PermissionDenied):
        managed.assign_employees(access_services.switched_actor(world.r1.actor(), client.session), first, [])
