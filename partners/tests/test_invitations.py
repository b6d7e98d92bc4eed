"""The partner invites (issue #20, way 1; SECURITY-TESTS INV-01 … INV-05): only the partner's owner invites and
withdraws; the mail's link is valid for 14 days and says clearly when it is dead; a new customer signs up with
an account of its own, an existing one logs in and comes back; only the customer's owner accepts, with the
rights it chooses, and the partner reviews rights it did not ask for."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Membership
from conftest import PASSWORD, api_client, login, make_contract, make_tenant
from core.access import ActionDenied
from core.roles import Role
from partners import invitations, services
from partners.models import PartnerInvitation, Partnership
from partners.services import Right
from users.models import User

pytestmark = pytest.mark.django_db

CONTRACT = "contracts.Contract"
LINK = re.compile(r"/partner-invitation/([A-Za-z0-9_-]+)/")


def invite(world, capture, *, email=None, full=True, message="") -> tuple[PartnerInvitation, str]:
    """R1's owner invites (by default C1's owner); the invitation and the token from the mail's link."""
    with capture(execute=True):
        invitation = invitations.invite_customer(
            world.r1.actor(), email=email or world.c1.owner.email, requested_full=full, message=message
        )
    token = LINK.search(mail.outbox[-1].body).group(1)
    return invitation, token


def link(token: str) -> str:
    return reverse("partners:invitation_answer", args=[token])


def accept_post(full: bool, **rights: str) -> dict[str, str]:
    return {"action": "accept", "full": "1" if full else "0", **rights}


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


class TestInviting:
    def test_the_owner_invites_from_managed_customers_and_the_customer_gets_a_link(self, world, client_for, capture):
        owner = client_for(world.r1.owner)
        page = owner.get(reverse("partners:managed_list")).content.decode()
        assert 'data-testid="invite-customer"' in page
        with capture(execute=True):
            response = owner.post(
                reverse("partners:invitation_add"),
                {"email": "Neu@Kunde.test", "requested_full": "0", "message": "Bitte Zugriff auf die Domains."},
            )
        assert response.status_code == 302
        invitation = PartnerInvitation.objects.get()
        assert (invitation.account, invitation.email, invitation.requested_full) == (
            world.r1.account,
            "neu@kunde.test",
            False,
        )
        assert invitation.state == PartnerInvitation.State.OPEN
        assert invitation.sender_email == world.r1.owner.email  # the default: the inviting owner's address
        assert timedelta(days=13, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=14)
        (message,) = mail.outbox
        assert message.to == ["neu@kunde.test"]
        assert message.reply_to == [world.r1.owner.email]
        assert "ZZ-R1-MARKER Agentur" in message.subject
        assert "Bitte Zugriff auf die Domains." in message.body
        token = LINK.search(message.body).group(1)
        assert token not in invitation.token_hash and invitation.token_hash == PartnerInvitation.hash_token(token)
        # The open invitation is listed, with its withdrawal.
        page = owner.get(reverse("partners:managed_list")).content.decode()
        assert "neu@kunde.test" in page and 'data-testid="withdraw-invitation"' in page

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYEE])
    def test_administrators_and_employees_cannot_invite(self, world, client_for, role):
        client = client_for(world.r1.user(role))
        if role == Role.ADMIN:
            page = client.get(reverse("partners:managed_list")).content.decode()
            assert 'data-testid="invite-customer"' not in page
        assert client.get(reverse("partners:invitation_add")).status_code == 403
        response = client.post(reverse("partners:invitation_add"), {"email": "x@example.test", "requested_full": "1"})
        assert response.status_code == 403
        with pytest.raises(ActionDenied):
            invitations.invite_customer(world.r1.actor(role), email="x@example.test", requested_full=True)
        assert PartnerInvitation.objects.count() == 0
        assert mail.outbox == []

    def test_an_account_that_is_no_partner_has_no_such_page(self, world, client_for):
        assert client_for(world.c1.owner).get(reverse("partners:invitation_add")).status_code == 404

    def test_a_header_injection_in_an_address_is_a_field_error(self, world, client_for):
        response = client_for(world.r1.owner).post(
            reverse("partners:invitation_add"),
            {"email": "a@example.test", "requested_full": "1", "sender_email": "me@example.test\r\nBcc: x@evil.test"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["sender_email"]
        assert PartnerInvitation.objects.count() == 0

    def test_the_mail_goes_out_over_smtp_with_the_sender_as_reply_to(self, world, smtp_server, capture):
        with capture(execute=True):
            invitations.invite_customer(
                world.r1.actor(), email="neu@kunde.test", requested_full=True, sender_email="team@agentur.test"
            )
        (envelope,) = smtp_server.messages
        assert envelope.rcpt_tos == ["neu@kunde.test"]
        content = envelope.content.decode()
        assert "Reply-To: team@agentur.test" in content
        assert "/partner-invitation/" in content


class TestDeadLinks:
    def test_an_unknown_or_tampered_token_shows_the_same_page(self, world, capture):
        _invitation, token = invite(world, capture)
        tampered = ("A" if token[0] != "A" else "B") + token[1:]
        client = Client()
        for bad in ("no-such-token", tampered, "x" * 200):
            response = client.get(link(bad))
            assert response.status_code == 404
            assert "This invitation link is not valid." in response.content.decode()
        assert client.get("/partner-invitation/%FF%FE/").status_code == 404

    def test_an_expired_link_says_so_and_cannot_be_accepted(self, world, capture, client_for):
        invitation, token = invite(world, capture)
        PartnerInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        owner = client_for(world.c1.owner)
        response = owner.get(link(token))
        assert response.status_code == 410
        assert "This invitation has expired." in response.content.decode()
        assert owner.post(link(token), accept_post(True)).status_code == 410
        with pytest.raises(ValidationError):
            invitations.accept_invitation(world.c1.actor(), invitation, full=True)
        assert Partnership.objects.count() == 0
        # In German too.
        owner.cookies["django_language"] = "de"
        assert "Diese Einladung ist abgelaufen." in owner.get(link(token)).content.decode()

    def test_a_withdrawn_link_says_so(self, world, capture, client_for):
        invitation, token = invite(world, capture)
        response = client_for(world.r1.owner).post(reverse("partners:invitation_withdraw", args=[invitation.pk]))
        assert response.status_code == 302
        invitation.refresh_from_db()
        assert invitation.state == PartnerInvitation.State.WITHDRAWN
        response = client_for(world.c1.owner).get(link(token))
        assert response.status_code == 410
        assert "The partner has withdrawn this invitation." in response.content.decode()
        assert client_for(world.c1.owner).post(link(token), accept_post(True)).status_code == 410
        assert Partnership.objects.count() == 0

    def test_a_used_link_says_so_and_a_second_acceptance_changes_nothing(self, world, capture, client_for):
        invitation, token = invite(world, capture)
        owner = client_for(world.c1.owner)
        assert owner.post(link(token), accept_post(True)).status_code == 302
        response = owner.get(link(token))
        assert response.status_code == 410
        assert "This invitation has already been accepted." in response.content.decode()
        assert owner.post(link(token), accept_post(False)).status_code == 410
        with pytest.raises(ValidationError):
            invitations.accept_invitation(world.c1.actor(), invitation, full=True)
        assert Partnership.objects.count() == 1

    def test_a_declined_link_says_so_and_the_partner_is_told(self, world, capture, smtp_server):
        invitation = PartnerInvitation(account=world.r1.account, email="fremd@example.test", created_by=world.r1.owner)
        token = invitation.issue_token()
        invitation.save()
        client = Client()
        with capture(execute=True):
            response = client.post(link(token), {"action": "decline", "decline_message": "Kein Bedarf."})
        assert response.status_code == 302
        response = client.get(link(token))
        assert response.status_code == 410
        assert "This invitation has been declined." in response.content.decode()
        declined = smtp_server.messages[-1]
        assert declined.rcpt_tos == [world.r1.owner.email]
        assert "Kein Bedarf." in declined.content.decode()
        assert PartnerInvitation.objects.get().decline_message == "Kein Bedarf."


class TestNewCustomer:
    def test_a_new_customer_signs_up_with_its_own_account_and_accepts(self, world, capture):
        invitation, token = invite(world, capture, email="neu@kunde.test")
        client = Client()
        page = client.get(link(token)).content.decode()
        assert 'data-testid="signup-form"' in page and "ZZ-R1-MARKER Agentur" in page
        response = client.post(
            link(token),
            {
                "action": "signup",
                "account_name": "Neue Firma",
                "username": "neukunde",
                "first_name": "Nora",
                "last_name": "Neu",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status_code == 302 and response["Location"] == link(token)
        user = User.objects.get(username="neukunde")
        assert user.email == "neu@kunde.test"
        account = Account.objects.get(name="Neue Firma")
        assert account.number == "20004"  # one above the highest (the test world's 20001 … 20003)
        assert not account.is_partner
        assert Membership.objects.get(account=account).user == user
        assert Membership.objects.get(account=account).role == Role.OWNER
        # Now the owner answers: a new account has no products, so it grants the Vollzugriff asked for.
        page = client.get(link(token)).content.decode()
        assert 'data-testid="accept-form"' in page
        response = client.post(link(token), accept_post(True))
        assert response.status_code == 302
        partnership = Partnership.objects.get()
        assert (partnership.account, partnership.customer_account) == (world.r1.account, account)
        assert partnership.rights_reviewed and not partnership.access.partial
        invitation.refresh_from_db()
        assert invitation.state == PartnerInvitation.State.ACCEPTED and invitation.partnership == partnership
        assert invitation.answered_by == user

    def test_the_address_of_an_existing_login_must_log_in(self, world, capture):
        _invitation, token = invite(world, capture)
        client = Client()
        page = client.get(link(token)).content.decode()
        assert 'data-testid="signup-form"' not in page
        login_url = f"{reverse('users:login')}?next=%2Fpartner-invitation%2F{token}%2F"
        assert login_url in page
        response = client.post(
            login_url, {"username": world.c1.owner.username, "password": PASSWORD, "next": link(token)}
        )
        assert response.status_code == 302 and response["Location"] == link(token)
        assert 'data-testid="accept-form"' in client.get(link(token)).content.decode()

    def test_a_login_without_an_account_creates_one_first(self, world, capture):
        _invitation, token = invite(world, capture, email=world.loner.email)
        client = login(Client(), world.loner)
        assert client.get(link(token)).status_code == 200
        response = client.post(link(token), {"action": "create_account", "account_name": "Einzelfirma"})
        assert response.status_code == 302
        account = Account.objects.get(name="Einzelfirma")
        assert Membership.objects.get(account=account, user=world.loner).role == Role.OWNER
        assert client.post(link(token), accept_post(True)).status_code == 302
        assert Partnership.objects.get().customer_account == account


class TestAnswer:
    @pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYEE])
    def test_only_the_customers_owner_accepts(self, world, capture, client_for, role):
        invitation, token = invite(world, capture)
        client = client_for(world.c1.user(role))
        response = client.get(link(token))
        assert response.status_code == 403
        assert "Only the owner of Kundenfirma" in response.content.decode()
        assert client.post(link(token), accept_post(True)).status_code == 403
        assert client.post(link(token), {"action": "decline"}).status_code == 403
        invitation.refresh_from_db()
        assert invitation.state == PartnerInvitation.State.OPEN
        assert Partnership.objects.count() == 0

    def test_the_customer_grants_fewer_rights_and_the_partner_reviews_exactly_those(self, world, capture, client_for):
        c1 = world.c1
        make_contract(c1.account, "o20009", note="Nicht geteilt")
        invitation, token = invite(world, capture, full=True)
        response = client_for(c1.owner).post(
            link(token), accept_post(False, **{f"statistics-{CONTRACT}-{c1.contract.pk}": "on"})
        )
        assert response.status_code == 302
        partnership = Partnership.objects.get()
        assert partnership.access.partial and not partnership.rights_reviewed
        assert services.scope_rights(partnership.access) == {(CONTRACT, c1.contract.pk): Right(False, True)}
        partner = client_for(world.r1.owner)
        page = partner.get(reverse("partners:managed_list")).content.decode()
        assert 'data-testid="rights-review"' in page
        assert "o20003" in page and "o20009" not in page
        # Employees do not confirm; an administrator does, and the notice is gone.
        confirm = reverse("partners:managed_rights_confirm", args=[partnership.pk])
        assert client_for(world.r1.employee).post(confirm).status_code == 403
        assert client_for(world.r2.owner).post(confirm).status_code == 404
        assert client_for(world.r1.admin).post(confirm).status_code == 302
        partnership.refresh_from_db()
        assert partnership.rights_reviewed
        assert 'data-testid="rights-review"' not in partner.get(reverse("partners:managed_list")).content.decode()

    def test_the_customer_may_grant_more_than_asked(self, world, capture, client_for):
        _invitation, token = invite(world, capture, full=False)
        response = client_for(world.c1.owner).get(link(token))
        assert response.context["form"]["full"].value() == "0"  # offered as asked: Teilzugriff
        assert client_for(world.c1.owner).post(link(token), accept_post(True)).status_code == 302
        partnership = Partnership.objects.get()
        assert not partnership.access.partial and not partnership.rights_reviewed

    def test_the_vollzugriff_asked_for_and_granted_needs_no_review(self, world, capture):
        invitation, _token = invite(world, capture, full=True)
        partnership = invitations.accept_invitation(world.c1.actor(), invitation, full=True)
        assert Partnership.objects.get(pk=partnership.pk).rights_reviewed

    def test_another_accounts_product_is_refused_and_the_invitation_stays_open(self, world, capture):
        invitation, token = invite(world, capture)
        foreign = {(CONTRACT, world.r2.contract.pk): Right(True, True)}
        with pytest.raises(ValidationError):
            invitations.accept_invitation(world.c1.actor(), invitation, full=False, rights=foreign)
        # A crafted field of the form for it is not one of the form's fields: nothing chosen, nothing granted.
        response = login(Client(), world.c1.owner).post(
            link(token), accept_post(False, **{f"technical-{CONTRACT}-{world.r2.contract.pk}": "on"})
        )
        assert response.status_code == 200
        assert "Choose at least one product" in response.content.decode()
        invitation.refresh_from_db()
        assert invitation.state == PartnerInvitation.State.OPEN
        assert Partnership.objects.count() == 0

    def test_a_customer_already_partnered_is_told_and_the_invitation_stays_open(self, world, capture, client_for):
        services.grant_partnership(world.c1.actor(), world.r1.account, full=True)
        invitation, token = invite(world, capture)
        response = client_for(world.c1.owner).post(link(token), accept_post(True))
        assert response.status_code == 200
        assert "This partner already has access to your account." in response.content.decode()
        invitation.refresh_from_db()
        assert invitation.state == PartnerInvitation.State.OPEN

    def test_the_partner_cannot_accept_its_own_invitation(self, world, capture, client_for):
        _invitation, token = invite(world, capture)
        assert client_for(world.r1.owner).get(link(token)).status_code == 403
        assert client_for(world.r1.owner).post(link(token), accept_post(True)).status_code == 403
        assert Partnership.objects.count() == 0

    def test_the_message_is_shown_as_text(self, world, capture, client_for):
        _invitation, token = invite(world, capture, message="<script>alert(1)</script>")
        page = client_for(world.c1.owner).get(link(token)).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


class TestWithdraw:
    def test_only_the_owner_withdraws_and_only_its_own(self, world, capture, client_for):
        invitation, _token = invite(world, capture)
        url = reverse("partners:invitation_withdraw", args=[invitation.pk])
        assert client_for(world.r1.admin).post(url).status_code == 403
        assert client_for(world.r1.employee).post(url).status_code == 403
        assert client_for(world.r2.owner).post(url).status_code == 404
        invitation.refresh_from_db()
        assert invitation.state == PartnerInvitation.State.OPEN
        owner = client_for(world.r1.owner)
        assert owner.post(url).status_code == 302
        owner.post(url)
        with pytest.raises(ValidationError):
            invitations.withdraw_invitation(world.r1.actor(), invitation)
        assert 'data-testid="open-invitations"' not in owner.get(reverse("partners:managed_list")).content.decode()

    def test_an_administrator_sees_open_invitations_without_withdrawing(self, world, capture, client_for):
        invite(world, capture)
        page = client_for(world.r1.admin).get(reverse("partners:managed_list")).content.decode()
        assert 'data-testid="open-invitations"' in page and 'data-testid="withdraw-invitation"' not in page


class TestAPI:
    def test_the_owner_invites_lists_and_withdraws(self, world):
        client = api_client(world.r1)
        response = client.post(
            "/api/v1/partner-invitations/",
            {"email": "neu@kunde.test", "access": "partial", "message": "Domains"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["email"], body["access"], body["state"], body["sender_email"]) == (
            "neu@kunde.test",
            "partial",
            "open",
            world.r1.owner.email,
        )
        assert len(mail.outbox) == 0 or mail.outbox[0].to == ["neu@kunde.test"]
        listed = client.get("/api/v1/partner-invitations/").json()
        assert [item["id"] for item in listed["items"]] == [body["id"]]
        response = client.post(f"/api/v1/partner-invitations/{body['id']}/withdraw/")
        assert response.status_code == 200 and response.json()["state"] == "withdrawn"
        response = client.post(f"/api/v1/partner-invitations/{body['id']}/withdraw/")
        assert response.status_code == 422

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYEE])
    def test_others_of_the_partner_may_not_invite(self, world, role):
        response = api_client(world.r1, role).post(
            "/api/v1/partner-invitations/", {"email": "neu@kunde.test"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert PartnerInvitation.objects.count() == 0

    def test_another_accounts_invitation_is_404(self, world, capture):
        invitation, _token = invite(world, capture)
        response = api_client(world.r2).post(f"/api/v1/partner-invitations/{invitation.pk}/withdraw/")
        assert response.status_code == 404
        assert api_client(world.r2).get("/api/v1/partner-invitations/").json()["items"] == []

    def test_the_customers_owner_accepts_with_its_own_products_only(self, world, capture):
        invitation, token = invite(world, capture)
        client = api_client(world.c1)
        url = "/api/v1/me/partner-invitations/accept/"
        foreign = {"product": CONTRACT, "id": world.r2.contract.pk, "technical": True}
        response = client.post(
            url, {"token": token, "access": "partial", "rights": [foreign]}, content_type="application/json"
        )
        assert response.status_code == 422
        assert (
            api_client(world.c1, Role.ADMIN)
            .post(url, {"token": token, "access": "full"}, content_type="application/json")
            .status_code
            == 403
        )
        own = {"product": CONTRACT, "id": world.c1.contract.pk, "statistics": True}
        response = client.post(
            url, {"token": token, "access": "partial", "rights": [own]}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["access"] == "partial"
        partnership = Partnership.objects.get()
        assert services.scope_rights(partnership.access) == {(CONTRACT, world.c1.contract.pk): Right(False, True)}
        assert not partnership.rights_reviewed
        response = client.post(url, {"token": token, "access": "full"}, content_type="application/json")
        assert response.status_code == 422
        assert "already been accepted" in response.json()["detail"][0]["msg"]
        listed = api_client(world.r1).get("/api/v1/partner-invitations/").json()["items"]
        assert (listed[0]["state"], listed[0]["customer_number"]) == ("accepted", world.c1.account.number)
        assert invitation.pk == listed[0]["id"]

    def test_the_customers_owner_declines(self, world, capture):
        invitation, token = invite(world, capture)
        url = "/api/v1/me/partner-invitations/decline/"
        body = {"token": token, "message": "Danke, nein."}
        assert api_client(world.c1, Role.EMPLOYEE).post(url, body, content_type="application/json").status_code == 403
        response = api_client(world.c1).post(url, body, content_type="application/json")
        assert response.status_code == 204
        invitation.refresh_from_db()
        assert (invitation.state, invitation.decline_message) == (PartnerInvitation.State.DECLINED, "Danke, nein.")


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking (two connections)")
class TestRaces:
    """Two answers at once: both pass every check, then meet at the conditional UPDATE; exactly one wins."""

    @pytest.fixture
    def meet(self, monkeypatch):
        barrier = threading.Barrier(2, timeout=10)
        original = invitations._close

        def wait_then_close(*args, **kwargs):
            barrier.wait()  # both are inside their transaction before either changes the state
            return original(*args, **kwargs)

        monkeypatch.setattr(invitations, "_close", wait_then_close)

    def test_two_acceptances_of_one_invitation_exactly_one_wins(self, world, meet):
        c2 = make_tenant("20004", "Zweite Kundenfirma", "c2", partner=False)
        invitation = PartnerInvitation(account=world.r1.account, email="race@example.test", created_by=world.r1.owner)
        invitation.issue_token()
        invitation.save()
        results = {}
        threads = [
            run_in_thread(lambda a=actor: invitations.accept_invitation(a, invitation, full=True), results, key)
            for key, actor in (("c1", world.c1.actor()), ("c2", c2.actor()))
        ]
        for thread in threads:
            thread.join(20)
        outcomes = sorted(type(result).__name__ for result in results.values())
        assert outcomes == ["Partnership", "ValidationError"]
        error = next(result for result in results.values() if isinstance(result, ValidationError))
        assert error.messages == ["This invitation has already been accepted."]
        (partnership,) = Partnership.objects.all()
        invitation.refresh_from_db()
        assert invitation.state == PartnerInvitation.State.ACCEPTED and invitation.partnership == partnership

    def test_an_acceptance_and_a_withdrawal_at_once_end_in_one_state(self, world, meet):
        invitation = PartnerInvitation(account=world.r1.account, email="race@example.test", created_by=world.r1.owner)
        invitation.issue_token()
        invitation.save()
        results = {}
        threads = [
            run_in_thread(lambda: invitations.accept_invitation(world.c1.actor(), invitation, full=True), results, "a"),
            run_in_thread(lambda: invitations.withdraw_invitation(world.r1.actor(), invitation), results, "w"),
        ]
        for thread in threads:
            thread.join(20)
        invitation.refresh_from_db()
        if invitation.state == PartnerInvitation.State.ACCEPTED:
            assert isinstance(results["a"], Partnership) and isinstance(results["w"], ValidationError)
            # The partner's list shows what was accepted.
            assert list(services.held_partnerships(world.r1.actor())) == [results["a"]]
        else:
            assert invitation.state == PartnerInvitation.State.WITHDRAWN
            assert isinstance(results["a"], ValidationError) and isinstance(results["w"], PartnerInvitation)
            assert results["a"].messages == ["The partner has withdrawn this invitation."]
            assert Partnership.objects.count() == 0
