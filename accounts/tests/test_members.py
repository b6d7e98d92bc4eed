import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Account, Invitation, Membership
from audit.models import AuditEntry
from conftest import login
from core.roles import Role
from users.models import User

pytestmark = pytest.mark.django_db


def membership(user):
    return Membership.objects.get(user=user)


class TestMemberList:
    def test_members_see_every_member_of_their_account(self, world):
        response = login(Client(), world.r1.employee).get(reverse("accounts:membership_list"))
        body = response.content.decode()
        assert all(name in body for name in ("r1-owner", "r1-admin", "r1-employee"))
        assert "r2-owner" not in body
        assert "1 to 3 of 3 entries" in body

    def test_the_list_filters_by_role_and_searches(self, world):
        client = login(Client(), world.r1.owner)
        body = client.get(reverse("accounts:membership_list"), {"role": "admin"}).content.decode()
        assert "r1-admin" in body and "r1-employee" not in body
        body = client.get(reverse("accounts:membership_list"), {"q": "employee"}).content.decode()
        assert "r1-employee" in body and "r1-admin" not in body

    def test_unknown_sort_keys_and_pages_are_harmless(self, world):
        client = login(Client(), world.r1.owner)
        for params in ({"sort": "password"}, {"sort": "user__password"}, {"page": "9999"}, {"q": "x" * 10000}):
            assert client.get(reverse("accounts:membership_list"), params).status_code in (200, 404)

    def test_employees_see_no_edit_buttons(self, world):
        body = login(Client(), world.r1.employee).get(reverse("accounts:membership_list")).content.decode()
        assert "/edit/" not in body


class TestRoleChanges:
    def test_an_admin_promotes_an_employee(self, world):
        client = login(Client(), world.r1.admin)
        target = membership(world.r1.employee)
        response = client.post(reverse("accounts:membership_edit", args=[target.pk]), {"role": "admin"})
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.role == Role.ADMIN
        entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(target.pk))
        assert entry.changes == {"role": ["employee", "admin"]}
        assert entry.user == world.r1.admin and entry.account == world.r1.account

    def test_an_admin_cannot_touch_an_owner(self, world):
        with pytest.raises(PermissionDenied):
            services.change_member_role(world.r1.actor(Role.ADMIN), membership(world.r1.owner), Role.EMPLOYEE)
        assert membership(world.r1.owner).role == Role.OWNER

    def test_an_admin_cannot_make_an_owner(self, world):
        with pytest.raises(PermissionDenied):
            services.change_member_role(world.r1.actor(Role.ADMIN), membership(world.r1.employee), Role.OWNER)

    def test_the_form_tells_an_admin_why_it_cannot_change_an_owner(self, world):
        client = login(Client(), world.r1.admin)
        target = membership(world.r1.owner)
        response = client.post(reverse("accounts:membership_edit", args=[target.pk]), {"role": "employee"})
        assert response.status_code == 200
        assert "Only owners can manage owners." in response.content.decode()

    def test_the_last_owner_cannot_be_demoted(self, world):
        with pytest.raises(ValidationError, match="last owner"):
            services.change_member_role(world.r1.actor(), membership(world.r1.owner), Role.ADMIN)

    def test_an_owner_can_be_demoted_when_another_owner_exists(self, world):
        services.change_member_role(world.r1.actor(), membership(world.r1.admin), Role.OWNER)
        services.change_member_role(world.r1.actor(), membership(world.r1.owner), Role.ADMIN)
        assert membership(world.r1.owner).role == Role.ADMIN

    def test_an_employee_gets_403_and_a_denied_entry(self, world):
        client = login(Client(), world.r1.employee)
        target = membership(world.r1.admin)
        response = client.post(reverse("accounts:membership_edit", args=[target.pk]), {"role": "employee"})
        assert response.status_code == 403
        assert membership(world.r1.admin).role == Role.ADMIN
        assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, user=world.r1.employee).exists()

    def test_another_accounts_member_is_404_and_unchanged(self, world):
        client = login(Client(), world.r2.owner)
        target = membership(world.r1.employee)
        response = client.post(reverse("accounts:membership_edit", args=[target.pk]), {"role": "admin"})
        assert response.status_code == 404
        assert "r1-employee" not in response.content.decode()
        assert membership(world.r1.employee).role == Role.EMPLOYEE


class TestRemoval:
    def test_an_owner_removes_a_member(self, world):
        client = login(Client(), world.r1.owner)
        target = membership(world.r1.employee)
        response = client.post(reverse("accounts:membership_delete", args=[target.pk]))
        assert response["Location"] == reverse("accounts:membership_list")
        assert not Membership.objects.filter(pk=target.pk).exists()
        assert User.objects.filter(pk=world.r1.employee.pk).exists()

    def test_the_last_owner_cannot_be_removed(self, world):
        client = login(Client(), world.r1.owner)
        target = membership(world.r1.owner)
        response = client.post(reverse("accounts:membership_delete", args=[target.pk]), follow=True)
        assert "The last owner cannot be removed." in response.content.decode()
        assert Membership.objects.filter(pk=target.pk).exists()


class TestInvitations:
    def test_an_invited_person_without_login_signs_up_and_joins(
        self, world, mailoutbox, django_capture_on_commit_callbacks
    ):
        owner = login(Client(), world.r1.owner)
        with django_capture_on_commit_callbacks(execute=True):
            response = owner.post(
                reverse("accounts:invitation_add"), {"email": "New.Person@Example.TEST", "role": "admin"}
            )
        assert response["Location"] == reverse("accounts:membership_list")
        [mail] = mailoutbox
        assert mail.to == ["new.person@example.test"]
        path = re.search(r"http://127\.0\.0\.1:8000(/account/invitation/\S+/)", mail.body).group(1)
        invitation = Invitation.objects.get()
        assert path.split("/")[-2] not in invitation.token_hash

        guest = Client()
        assert "Create your login" in guest.get(path).content.decode()
        response = guest.post(
            path,
            {
                "username": "newperson",
                "first_name": "New",
                "last_name": "Person",
                "password1": "a-good-long-secret",
                "password2": "a-good-long-secret",
            },
        )
        assert response["Location"] == reverse("dashboard")
        user = User.objects.get(username="newperson")
        assert user.email == "new.person@example.test"
        assert membership(user).role == Role.ADMIN and membership(user).account == world.r1.account
        assert guest.get(reverse("accounts:membership_list")).status_code == 200
        # The link works once.
        assert Client().get(path).status_code == 404

    def test_an_existing_user_logs_in_and_accepts(self, world):
        invitation = Invitation(account=world.r1.account, email=world.r2.owner.email, role=Role.EMPLOYEE)
        token = invitation.issue_token()
        invitation.save()
        path = reverse("accounts:invitation_accept", args=[token])
        assert Client().get(path)["Location"].startswith(reverse("users:login"))
        client = login(Client(), world.r2.owner)
        client.post(path)
        assert Membership.objects.filter(user=world.r2.owner, account=world.r1.account, role=Role.EMPLOYEE).exists()

    def test_an_admin_cannot_invite_an_owner(self, world):
        client = login(Client(), world.r1.admin)
        response = client.post(reverse("accounts:invitation_add"), {"email": "x@example.test", "role": "owner"})
        assert response.status_code == 200
        assert not Invitation.objects.exists()

    def test_inviting_an_existing_member_is_a_field_error(self, world):
        client = login(Client(), world.r1.owner)
        response = client.post(reverse("accounts:invitation_add"), {"email": world.r1.admin.email, "role": "admin"})
        assert "already a member" in response.content.decode()
        assert not Invitation.objects.exists()


class TestSwitching:
    def test_a_member_of_two_accounts_switches_between_them(self, world):
        Membership.objects.create(account=world.r2.account, user=world.r1.owner, role=Role.EMPLOYEE)
        client = login(Client(), world.r1.owner, world.r1.account)
        key = client.cookies["sessionid"].value
        response = client.post(reverse("accounts:switch"), {"account": world.r2.account.pk})
        assert response["Location"] == reverse("dashboard")
        assert client.cookies["sessionid"].value != key
        body = client.get(reverse("accounts:membership_list")).content.decode()
        assert "r2-admin" in body and "r1-admin" not in body
        assert "/edit/" not in body  # an employee there

    def test_the_account_menu_lists_the_members_accounts_only(self, world):
        Membership.objects.create(account=world.r2.account, user=world.r1.owner, role=Role.EMPLOYEE)
        body = login(Client(), world.r1.owner, world.r1.account).get(reverse("dashboard")).content.decode()
        menu = re.findall(r'<button class="dropdown-item[^"]*" name="account" value="(\d+)"', body)
        assert sorted(int(pk) for pk in menu) == sorted([world.r1.account.pk, world.r2.account.pk])
        assert world.c1.account.name not in body

    def test_a_member_of_many_accounts_stays_in_one_beyond_the_menu(self, world):
        # The menu shows the first MENU_SIZE accounts by number; the current one may come later.
        for index in range(services.MENU_SIZE):
            account = Account.objects.create(number=f"1{index:04d}", name=f"Vorne {index}")
            Membership.objects.create(account=account, user=world.r1.owner, role=Role.EMPLOYEE)
        client = login(Client(), world.r1.owner, world.r1.account)
        body = client.get(reverse("accounts:membership_list")).content.decode()
        assert "r1-admin" in body
        menu = re.findall(r'<button class="dropdown-item[^"]*" name="account" value="(\d+)"', body)
        assert len(menu) == services.MENU_SIZE and str(world.r1.account.pk) not in menu
        Membership.objects.filter(account=world.r1.account, user=world.r1.owner).delete()
        assert "r1-admin" not in client.get(reverse("accounts:membership_list")).content.decode()

    def test_the_staff_menu_lists_accounts_they_are_not_a_member_of(self, world):
        client = login(Client(), world.staff)
        client.post(reverse("accounts:switch"), {"account": world.c1.account.pk})
        body = client.get(reverse("dashboard")).content.decode()
        menu = re.findall(r'<button class="dropdown-item[^"]*" name="account" value="(\d+)"', body)
        assert str(world.c1.account.pk) in menu and str(world.r2.account.pk) in menu

    def test_switching_to_a_foreign_account_is_404_and_changes_nothing(self, world):
        client = login(Client(), world.r2.owner)
        for value in (world.r1.account.pk, "abc", "1\\r\\nX", ""):
            assert client.post(reverse("accounts:switch"), {"account": value}).status_code == 404
        body = client.get(reverse("accounts:membership_list")).content.decode()
        assert "r2-admin" in body

    def test_staff_can_work_in_any_account(self, world):
        client = login(Client(), world.staff)
        client.post(reverse("accounts:switch"), {"account": world.c1.account.pk})
        response = client.get(reverse("accounts:membership_list"))
        assert "c1-owner" in response.content.decode()
        assert "Operator access" in response.content.decode()

    def test_a_deactivated_account_is_left_at_once(self, world):
        client = login(Client(), world.r1.owner)
        Account.objects.filter(pk=world.r1.account.pk).update(is_active=False)
        assert client.get(reverse("accounts:membership_list")).status_code == 404
