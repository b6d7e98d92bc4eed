import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from conftest import login, make_customer, make_user
from core.roles import Role
from customers import services
from customers.models import EndCustomer, PortalUser, Todo

pytestmark = pytest.mark.django_db

LIST = "/customers/"
ADD = "/customers/add/"
VALID = {
    "number": "  K-1001 ",
    "company": "",
    "last_name": " Müller ",
    "first_name": "Max",
    "street": "Hauptstraße 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
    "phone": "030 1234567",
    "mobile": "0170 1234567",
    "email": "Max.Mueller@Example.TEST",
    "website": "www.mueller.test",
}


def add(client, **changes):
    return client.post(ADD, {**VALID, **changes})


class TestList:
    def test_the_list_shows_the_resellers_customers_only(self, world):
        body = login(Client(), world.r2.employee).get(LIST).content.decode()
        assert "R2-1" in body and "R2-2" in body
        assert "ZZ-R1-MARKER" not in body and "R1-1" not in body
        assert "1 to 2 of 2 entries" in body

    def test_search_looks_in_number_names_company_email_and_city(self, world):
        make_customer(world.r1.account, "X-9", last_name="Zander", city="Ulm", email="z@zander.test", company="Zett AG")
        client = login(Client(), world.r1.owner)
        for term in ("X-9", "zander", "Zett", "z@zander", "Ulm"):
            body = client.get(LIST, {"q": term}).content.decode()
            assert "X-9" in body and "R1-2" not in body, term

    def test_the_delete_button_shows_only_for_deletable_customers_and_admins(self, world):
        body = login(Client(), world.r1.owner).get(LIST).content.decode()
        assert f"/customers/{world.r1.plain_customer.pk}/delete/" in body
        assert f"/customers/{world.r1.customer.pk}/delete/" not in body  # has a portal user
        body = login(Client(), world.r1.employee).get(LIST).content.decode()
        assert "/delete/" not in body

    def test_the_product_count_filter(self, world):
        client = login(Client(), world.r1.owner)
        body = client.get(LIST, {"has_products": "no"}).content.decode()
        assert "R1-1" in body and "R1-2" in body
        assert "R1-1" not in client.get(LIST, {"has_products": "yes"}).content.decode()

    def test_a_plain_provider_account_has_no_customer_register(self, world):
        # The feature does not exist there: the same 404 as any page that does not exist, nothing audited.
        assert login(Client(), world.c1.owner).get(LIST).status_code == 404
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).exists()


class TestCreate:
    def test_a_valid_customer_is_created_normalised_and_audited(self, world):
        response = add(login(Client(), world.r1.employee))
        customer = EndCustomer.objects.get(account=world.r1.account, number="K-1001")
        assert response["Location"] == customer.get_absolute_url()
        assert customer.last_name == "Müller"
        assert customer.phone == "+49301234567" and customer.mobile == "+491701234567"
        assert customer.email == "max.mueller@example.test"
        assert customer.website == "https://www.mueller.test"
        entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(customer.pk))
        assert entry.changes["number"] == [None, "K-1001"]
        body = login(Client(), world.r1.employee).get(customer.get_absolute_url()).content.decode()
        assert "030 1234567" in body and "0170 1234567" in body

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("number", "K 1001", "Use up to 32 letters, digits"),
            ("number", "K‐1001", "Use up to 32 letters, digits"),  # Unicode hyphen
            ("number", "K" * 33, "at most 32 characters"),
            ("postal_code", "1011", "has 5 digits"),
            ("postal_code", "１０１１５", "has 5 digits"),  # full-width digits
            ("phone", "12", "Enter a valid phone number"),
            ("email", "not-an-address", "Enter a valid email address"),
            ("website", "javascript:alert(1)", "Enter a valid web address"),
            ("website", "https://user:pw@evil.test/", "Enter a valid web address"),
            ("website", "https://host/%0d%0aX: y\r\n", "Enter a valid web address"),
            ("website", "[", "Enter a valid web address"),
            ("website", "https://[::1/", "Enter a valid web address"),
            ("last_name", "   ", "This field is required"),
        ],
    )
    def test_bad_input_gets_an_error_next_to_the_field_and_nothing_is_saved(self, world, field, value, message):
        response = add(login(Client(), world.r1.owner), **{field: value})
        assert response.status_code == 200
        assert message in str(response.context["form"].errors[field])
        assert not EndCustomer.objects.filter(account=world.r1.account, number="K-1001").exists()

    def test_austrian_and_swiss_postal_codes_have_four_digits(self, world):
        client = login(Client(), world.r1.owner)
        assert (
            add(client, country="AT", postal_code="1060", phone="+43 1 5867788", mobile="+43 664 1234567").status_code
            == 302
        )
        response = add(client, number="K-2", country="CH", postal_code="80001")
        assert "has 4 digits" in str(response.context["form"].errors["postal_code"])

    def test_a_duplicate_number_in_the_same_reseller_is_a_field_error(self, world):
        client = login(Client(), world.r1.owner)
        response = add(client, number="r1-1")  # case-insensitive duplicate of R1-1
        assert "already have a customer with this customer number" in str(response.context["form"].errors["number"])
        assert EndCustomer.objects.filter(account=world.r1.account).count() == 2

    def test_the_same_number_at_another_reseller_is_fine(self, world):
        assert add(login(Client(), world.r2.owner), number="R1-1").status_code == 302
        assert EndCustomer.objects.filter(number="R1-1").count() == 2

    def test_the_database_constraint_catches_what_a_form_check_would_miss(self, world, monkeypatch):
        duplicate = EndCustomer(**{**{k: v.strip() for k, v in VALID.items()}, "number": "R1-1"})
        # As in a race: the other creation committed after this one's check.
        monkeypatch.setattr(services, "_check_number_free", lambda actor, customer: None)
        with pytest.raises(ValidationError) as error:
            services.create_end_customer(world.r1.actor(), duplicate)
        assert error.value.message_dict == {"number": ["You already have a customer with this customer number."]}
        assert EndCustomer.objects.filter(account=world.r1.account, number="R1-1").count() == 1


class TestEdit:
    def test_an_edit_is_audited_with_old_and_new_values(self, world):
        customer = world.r1.plain_customer
        client = login(Client(), world.r1.employee)
        data = {**VALID, "number": customer.number, "city": "Potsdam", "postal_code": "14467"}
        assert client.post(f"/customers/{customer.pk}/edit/", data).status_code == 302
        entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(customer.pk))
        assert entry.changes["city"] == ["Berlin", "Potsdam"]
        assert entry.user == world.r1.employee

    def test_another_reseller_cannot_edit_and_learns_nothing(self, world):
        customer = world.r1.customer
        response = login(Client(), world.r2.owner).post(f"/customers/{customer.pk}/edit/", {**VALID, "city": "X"})
        assert response.status_code == 404
        assert "ZZ-R1-MARKER" not in response.content.decode()
        customer.refresh_from_db()
        assert customer.city == "Berlin"


class TestDelete:
    def test_an_admin_deletes_a_customer_without_ties(self, world):
        customer = world.r1.plain_customer
        response = login(Client(), world.r1.admin).post(f"/customers/{customer.pk}/delete/")
        assert response["Location"] == LIST
        assert not EndCustomer.objects.filter(pk=customer.pk).exists()
        assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE, object_id=str(customer.pk)).exists()

    def test_the_refusal_names_what_still_blocks(self, world):
        customer = world.r1.customer
        PortalUser.objects.create(user=make_user("second-portal"), end_customer=customer)
        response = login(Client(), world.r1.owner).post(f"/customers/{customer.pk}/delete/", follow=True)
        assert "still has: 2 users" in response.content.decode()
        assert EndCustomer.objects.filter(pk=customer.pk).exists()

    def test_an_employee_never_deletes(self, world):
        customer = world.r1.plain_customer
        response = login(Client(), world.r1.employee).post(f"/customers/{customer.pk}/delete/")
        assert response.status_code == 403
        assert EndCustomer.objects.filter(pk=customer.pk).exists()
        assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, user=world.r1.employee).exists()

    def test_registered_product_relations_block_deletion(self, world):
        from customers.models import PRODUCT_RELATIONS, ProductRelation

        todos = ProductRelation("customers.Todo", "end_customer")
        PRODUCT_RELATIONS.append(todos)
        try:
            customer = world.r1.customer
            customer.portal_users.all().delete()
            listed = EndCustomer.objects.with_counts().get(pk=customer.pk)
            assert listed.product_count == 1
            with pytest.raises(ValidationError, match="1 product"):
                services.delete_end_customer(world.r1.actor(), customer)
        finally:
            PRODUCT_RELATIONS.remove(todos)

    def test_bulk_delete_deletes_the_deletable_and_explains_the_rest(self, world):
        client = login(Client(), world.r1.owner)
        pks = [world.r1.customer.pk, world.r1.plain_customer.pk, world.r2.plain_customer.pk]
        response = client.post("/customers/bulk/", {"action": "delete", "selection": pks}, follow=True)
        body = response.content.decode()
        assert "1 customer deleted." in body
        assert "R1-1: This customer cannot be deleted while it still has: 1 user." in body
        assert EndCustomer.objects.filter(pk=world.r2.plain_customer.pk).exists()
        assert not EndCustomer.objects.filter(pk=world.r1.plain_customer.pk).exists()

    def test_bulk_export_holds_only_the_selected_own_rows(self, world):
        client = login(Client(), world.r1.owner)
        pks = [world.r1.plain_customer.pk, world.r2.customer.pk]
        response = client.post("/customers/bulk/", {"action": "export", "selection": pks})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "R1-2" in text and "R2-1" not in text and "R1-1" not in text


class TestPortalUsers:
    def test_a_user_with_an_invitation_gets_a_set_password_link(
        self, world, mailoutbox, django_capture_on_commit_callbacks
    ):
        customer = world.r1.plain_customer
        client = login(Client(), world.r1.employee)
        data = {
            "username": "anna",
            "first_name": "Anna",
            "last_name": "A",
            "email": "anna@example.test",
            "access": "invite",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/customers/{customer.pk}/users/add/", data)
        assert response["Location"] == f"/customers/{customer.pk}/users/"
        portal_user = PortalUser.objects.get(user__username="anna")
        assert portal_user.end_customer == customer
        assert not portal_user.user.has_usable_password()
        [mail] = mailoutbox
        assert "/password/reset/" in mail.body and "anna" in mail.body

    def test_the_account_summary_is_sent_only_when_asked(self, world, mailoutbox, django_capture_on_commit_callbacks):
        client = login(Client(), world.r1.owner)
        base = {"first_name": "B", "last_name": "B", "access": "password", "password": "a-long-good-secret-9"}
        url = f"/customers/{world.r1.plain_customer.pk}/users/add/"
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**base, "username": "bea", "email": "bea@example.test"})
        assert mailoutbox == []
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**base, "username": "ben", "email": "ben@example.test", "send_summary": "on"})
        assert [m.subject for m in mailoutbox] == ["Your login details for the customer portal"]
        assert "a-long-good-secret-9" not in mailoutbox[0].body

    def test_usernames_are_unique_across_all_logins(self, world):
        client = login(Client(), world.r2.owner)
        data = {
            "username": "R1-Portal",
            "first_name": "X",
            "last_name": "Y",
            "email": "x@example.test",
            "access": "invite",
        }
        response = client.post(f"/customers/{world.r2.customer.pk}/users/add/", data)
        assert "already taken" in str(response.context["form"].errors["username"])
        assert "ZZ-R1-MARKER" not in response.content.decode()

    def test_a_portal_user_cannot_log_into_the_main_portal(self, world):
        response = Client().post("/login/", {"username": "r1-portal", "password": "correct-horse-battery"})
        assert response.status_code == 200
        assert "correct username or e-mail and password" in response.content.decode()

    def test_deactivation_ends_the_login_and_running_sessions(self, world):
        portal_user = world.r1.portal_user
        session = login(Client(), portal_user.user)
        assert session.get("/profile/").status_code == 200
        login(Client(), world.r1.employee).post(f"/customers/users/{portal_user.pk}/active/", {"active": "0"})
        portal_user.user.refresh_from_db()
        assert not portal_user.user.is_active
        assert session.get("/profile/").status_code == 302
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.DEACTIVATE, parent_id=str(world.r1.customer.pk)
        ).exists()

    def test_another_reseller_cannot_touch_the_user(self, world):
        portal_user = world.r1.portal_user
        response = login(Client(), world.r2.owner).post(f"/customers/users/{portal_user.pk}/active/", {"active": "0"})
        assert response.status_code == 404
        portal_user.user.refresh_from_db()
        assert portal_user.user.is_active


class TestTodos:
    def test_a_todo_is_added_with_a_member_as_assignee(self, world):
        client = login(Client(), world.r1.employee)
        data = {"title": "Anrufen", "status": "open", "due_date": "2026-12-01", "assignee": world.r1.admin.pk}
        response = client.post(f"/customers/{world.r1.customer.pk}/todos/add/", data)
        assert response["Location"] == f"/customers/{world.r1.customer.pk}/todos/"
        todo = Todo.objects.get(title="Anrufen")
        assert todo.assignee == world.r1.admin and todo.end_customer == world.r1.customer

    def test_an_assignee_from_another_account_is_refused(self, world):
        client = login(Client(), world.r1.owner)
        data = {"title": "X", "status": "open", "assignee": world.r2.owner.pk}
        response = client.post(f"/customers/{world.r1.customer.pk}/todos/add/", data)
        assert "Select a valid choice" in str(response.context["form"].errors["assignee"])
        assert not Todo.objects.filter(title="X").exists()

    def test_my_todos_lists_overdue_first_across_customers(self, world):
        today = timezone.localdate()
        Todo.objects.create(
            end_customer=world.r1.plain_customer,
            title="later",
            due_date=today + timedelta(days=5),
            assignee=world.r1.owner,
        )
        Todo.objects.create(
            end_customer=world.r1.plain_customer,
            title="overdue",
            due_date=today - timedelta(days=1),
            assignee=world.r1.owner,
        )
        Todo.objects.create(end_customer=world.r1.plain_customer, title="not mine", assignee=world.r1.admin)
        body = login(Client(), world.r1.owner).get("/customers/todos/").content.decode()
        assert body.index("overdue") < body.index("later")
        assert "not mine" not in body

    def test_the_activity_tab_shows_the_customers_children_too(self, world):
        services.save_todo(world.r1.actor(), Todo(title="Tab-Test"), world.r1.customer)
        body = login(Client(), world.r1.owner).get(f"/customers/{world.r1.customer.pk}/activity/").content.decode()
        assert "Tab-Test" in body


class TestDataProtection:
    def test_the_export_holds_everything_about_the_customer(self, world):
        response = login(Client(), world.r1.owner).get(f"/customers/{world.r1.customer.pk}/privacy/export/")
        data = json.loads(response.content)
        assert data["customer"]["number"] == "R1-1"
        assert [u["username"] for u in data["portal_users"]] == ["r1-portal"]
        assert [t["title"] for t in data["todos"]] == ["ZZ-R1-MARKER Aufgabe"]
        assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_id=str(world.r1.customer.pk)).exists()

    def test_erasure_deletes_and_leaves_only_a_pseudonym(self, world):
        customer = world.r1.plain_customer
        actor = world.r1.actor()
        customer.city = "Geheimstadt"
        services.update_end_customer(actor, customer)
        response = login(Client(), world.r1.owner).post(f"/customers/{customer.pk}/privacy/erase/")
        assert response["Location"] == LIST
        assert not EndCustomer.objects.filter(pk=customer.pk).exists()
        trail = AuditEntry.objects.filter(object_id=str(customer.pk), object_type__model="endcustomer")
        assert trail.count() == 2
        dumped = json.dumps(list(trail.values("object_repr", "changes")), ensure_ascii=False)
        assert "Geheimstadt" not in dumped and "ZZ-R1-MARKER" not in dumped and "R1-2" not in dumped
        assert "erased customer" in dumped

    def test_erasure_respects_the_deletion_guard(self, world):
        response = login(Client(), world.r1.owner).post(
            f"/customers/{world.r1.customer.pk}/privacy/erase/", follow=True
        )
        assert "cannot be erased while it still has: 1 user" in response.content.decode()
        assert EndCustomer.objects.filter(pk=world.r1.customer.pk).exists()

    def test_employees_cannot_erase(self, world):
        assert (
            login(Client(), world.r1.employee)
            .post(f"/customers/{world.r1.plain_customer.pk}/privacy/erase/")
            .status_code
            == 403
        )


class TestRoles:
    def test_actor_roles_follow_the_design(self, world):
        assert world.r1.actor(Role.EMPLOYEE).may(EndCustomer, "change")
        assert not world.r1.actor(Role.EMPLOYEE).may(EndCustomer, "delete")
        assert world.r1.actor(Role.ADMIN).may(EndCustomer, "delete")
        assert not world.c1.actor(Role.OWNER).may(EndCustomer, "view")
