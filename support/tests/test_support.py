"""Kontakt: a member writes to the provider's support, support answers in the operator area, the member reads it."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import ActivationCode, ServiceAccess
from access.services import SESSION_ACCESS_KEY
from audit.models import AuditEntry
from conftest import api_client, login
from core.roles import Role
from portal.models import PortalTemplate
from support.models import SupportRequest
from support.services import REQUESTS_PER_USER

pytestmark = pytest.mark.django_db

ADD_URL = reverse("support:request_add")
LIST_URL = reverse("support:request_list")
API_URL = "/api/v1/support-requests/"


def make_request(tenant, user=None, **values):
    values = {"topic": SupportRequest.Topic.OTHER, "message": "Bitte helfen.", **values}
    return SupportRequest.objects.create(account=tenant.account, sender=user or tenant.owner, **values)


def operator(world):
    """A staff client that passed two-factor login, as the operator area requires."""
    client = login(Client(), world.staff)
    device = TOTPDevice.objects.create(user=world.staff, name="app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def initial(response):
    return response.context["form"].initial


class TestTheForm:
    def test_kontakt_is_in_every_members_sidebar(self, world):
        for user in (world.r1.owner, world.r1.employee, world.c1.employee):
            assert f'href="{ADD_URL}"' in login(Client(), user).get("/").content.decode()
        assert f'href="{ADD_URL}"' not in login(Client(), world.loner).get("/").content.decode()

    def test_the_page_that_links_here_prefills_topic_and_object(self, world):
        client = login(Client(), world.r1.owner)
        query = "?topic=new_portal_template&object=R1-1%20Kundenfirma&object_url=/customers/5/&page=/portal/templates/"
        response = client.get(ADD_URL + query)
        assert initial(response) == {
            "topic": "new_portal_template",
            "object_label": "R1-1 Kundenfirma",
            "object_url": "/customers/5/",
            "page": "/portal/templates/",
        }
        body = response.content.decode()
        assert '<option value="new_portal_template" selected>' in body
        assert '<a href="/customers/5/">R1-1 Kundenfirma</a>' in body
        # Named by the linking page, the object is that page's link, not a text field to retype.
        assert '<input type="hidden" name="object_label" value="R1-1 Kundenfirma"' in body

    def test_a_customer_that_cannot_be_deleted_links_here_with_topic_and_customer(self, world):
        customer = world.r1.customer  # has a portal user
        client = login(Client(), world.r1.admin)
        body = client.get(reverse("customers:endcustomer_delete", args=[customer.pk])).content.decode()
        link = f"{ADD_URL}?topic=customer_not_deletable&amp;object=R1-1&amp;object_url=/customers/{customer.pk}/"
        assert f'href="{link}"' in body
        response = client.get(link.replace("&amp;", "&"))
        assert initial(response) == {
            "topic": "customer_not_deletable",
            "object_label": "R1-1",
            "object_url": f"/customers/{customer.pk}/",
        }

    def test_the_empty_portal_template_list_asks_for_a_new_template(self, world):
        client = login(Client(), world.r1.owner)
        body = client.get(reverse("portal:template_list")).content.decode()
        assert f'href="{ADD_URL}?topic=new_portal_template"' in body
        assert initial(client.get(f"{ADD_URL}?topic=new_portal_template")) == {"topic": "new_portal_template"}

    def test_a_templates_page_asks_for_a_new_portal_url_about_that_template(self, world):
        template = PortalTemplate.objects.create(
            account=world.r1.account, portal_url="https://kunden.r1.test", portal_name="R1 Portal"
        )
        edit = reverse("portal:template_edit", args=[template.pk])
        body = login(Client(), world.r1.owner).get(edit).content.decode()
        link = f"{ADD_URL}?topic=new_portal_url&amp;object=R1%20Portal&amp;object_url={edit}"
        assert f'href="{link}"' in body
        response = login(Client(), world.r1.owner).get(link.replace("&amp;", "&"))
        assert initial(response) == {"topic": "new_portal_url", "object_label": "R1 Portal", "object_url": edit}

    def test_the_page_it_came_from_is_the_same_site_referer(self, world):
        client = login(Client(), world.r1.owner)
        response = client.get(ADD_URL, HTTP_REFERER="http://testserver/customers/?q=x")
        assert initial(response) == {"page": "/customers/?q=x"}
        response = client.get(ADD_URL, HTTP_REFERER="https://evil.test/customers/")
        assert initial(response) == {}

    @pytest.mark.parametrize(
        "query",
        [
            "topic=delete_everything",
            "object_url=https://evil.test/",
            "object_url=//evil.test/",
            "object_url=/%5Cevil.test/",
            "object_url=javascript:alert(1)",
            "page=https://evil.test/",
            "object=%E2%80%AEgnp.exe",
            "object=" + "x" * 201,
        ],
    )
    def test_unknown_topics_offsite_links_and_control_characters_are_not_prefilled(self, world, query):
        response = login(Client(), world.r1.owner).get(f"{ADD_URL}?{query}")
        assert response.status_code == 200
        assert initial(response) == {}
        form = response.context["form"]
        assert [form[name].value() for name in ("topic", "object_label", "object_url", "page")] == [None] * 4

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("topic", "delete_everything"),
            ("object_url", "https://evil.test/"),
            ("object_url", "//evil.test/"),
            ("page", "/\\evil.test/"),
            ("message", "Hallo\x1b[31m"),
            ("message", "x" * 5001),
        ],
    )
    def test_a_forged_value_is_a_field_error_and_nothing_is_sent(self, world, mailoutbox, field, value):
        data = {"topic": "other", "message": "Hallo", field: value}
        response = login(Client(), world.r1.owner).post(ADD_URL, data)
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert SupportRequest.objects.count() == 0
        assert mailoutbox == []

    def test_a_message_may_have_several_lines(self, world, django_capture_on_commit_callbacks):
        client = login(Client(), world.r1.owner)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ADD_URL, {"topic": "other", "message": "Zeile 1\r\nZeile 2"}, follow=True)
        sent = SupportRequest.objects.get()
        assert response.redirect_chain == [(sent.get_absolute_url(), 302)]
        assert sent.message == "Zeile 1\r\nZeile 2"
        body = response.content.decode()
        assert "Sent to support." in body
        assert "Zeile 1<br>Zeile 2" in body


class TestSending:
    def test_support_gets_a_mail_with_account_user_page_and_object(
        self, world, settings, smtp_server, django_capture_on_commit_callbacks
    ):
        settings.SUPPORT_EMAIL = "hilfe@provider.test"
        settings.SITE_URL = "https://portal.provider.test"
        client = login(Client(), world.r1.employee)
        data = {
            "topic": "customer_not_deletable",
            "message": "Kunde R1-1 lässt sich nicht löschen & ich weiß nicht warum.",
            "object_label": "R1-1",
            "object_url": f"/customers/{world.r1.customer.pk}/",
            "page": "/customers/",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ADD_URL, data)
        sent = SupportRequest.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("support:request_detail", args=[sent.pk])
        assert (sent.account, sent.sender, sent.status) == (world.r1.account, world.r1.employee, "open")
        [message] = smtp_server.messages
        assert message.rcpt_tos == ["hilfe@provider.test"]
        text = message.content.decode()
        assert "20001" in text  # the account number
        assert "r1-employee@example.test" in text
        assert "https://portal.provider.test/customers/" in text
        assert f"https://portal.provider.test/customers/{world.r1.customer.pk}/" in text
        assert f"https://portal.provider.test/operator/support/supportrequest/{sent.pk}/change/" in text
        entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(sent.pk))
        assert (entry.account, entry.user) == (world.r1.account, world.r1.employee)

    def test_the_mail_to_support_keeps_the_writers_text_as_written(
        self, world, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            login(Client(), world.r1.owner).post(ADD_URL, {"topic": "other", "message": "A & B <c>"})
        [mail] = mailoutbox
        assert "A & B <c>" in mail.body
        assert "A &amp; B &lt;c&gt;" in mail.alternatives[0][0]

    def test_support_reads_the_providers_language_whatever_the_writers_browser_asked_for(
        self, world, settings, mailoutbox, django_capture_on_commit_callbacks
    ):
        settings.LANGUAGE_CODE = "de"
        client = login(Client(HTTP_ACCEPT_LANGUAGE="en"), world.r1.owner)
        client.cookies["django_language"] = "en"
        with django_capture_on_commit_callbacks(execute=True):
            client.post(ADD_URL, {"topic": "plans_not_loading", "message": "Plans?"})
        [mail] = mailoutbox
        assert mail.subject.startswith("Supportanfrage #")
        assert "Thema: Hosting-Pläne laden nicht" in mail.body

    def test_a_user_may_send_ten_an_hour_then_gets_a_clear_message(
        self, world, mailoutbox, django_capture_on_commit_callbacks
    ):
        client = login(Client(), world.r1.owner)
        with django_capture_on_commit_callbacks(execute=True):
            for number in range(REQUESTS_PER_USER):
                assert client.post(ADD_URL, {"topic": "other", "message": f"Nr. {number}"}).status_code == 302
            response = client.post(ADD_URL, {"topic": "other", "message": "eine zu viel"})
        assert response.status_code == 200
        assert "10 support requests within an hour" in response.content.decode()
        assert SupportRequest.objects.count() == REQUESTS_PER_USER
        assert len(mailoutbox) == REQUESTS_PER_USER
        # Another member of the same account still gets through.
        other = login(Client(), world.r1.admin)
        assert other.post(ADD_URL, {"topic": "other", "message": "Ich auch"}).status_code == 302

    def test_a_provider_working_through_service_access_writes_from_its_own_account(self, world):
        code = ActivationCode.objects.create(
            user=world.c1.admin, account=world.c1.account, code_hash="0" * 64, expires_at="2099-01-01T00:00:00Z"
        )
        access = ServiceAccess.objects.create(
            account=world.r1.account, shared_account=world.c1.account, sharer=world.c1.admin, code=code
        )
        client = login(Client(), world.r1.owner)
        session = client.session
        session[SESSION_ACCESS_KEY] = access.pk
        session.save()
        assert f'href="{ADD_URL}"' not in client.get("/").content.decode()
        assert client.post(ADD_URL, {"topic": "other", "message": "x"}).status_code == 403
        assert SupportRequest.objects.count() == 0


class TestTheSendersList:
    def test_a_member_sees_their_own_requests_not_their_colleagues(self, world):
        mine = make_request(world.r1, world.r1.employee, message="meine Frage")
        make_request(world.r1, world.r1.owner, message="Frage der Inhaberin")
        make_request(world.r2, world.r2.employee, message="Frage von R2")
        client = login(Client(), world.r1.employee)
        body = client.get(LIST_URL).content.decode()
        assert f'href="{mine.get_absolute_url()}"' in body
        assert list(client.get(LIST_URL).context["table"].data) == [mine]

    def test_another_accounts_or_colleagues_request_is_404(self, world):
        other_account = make_request(world.r2, world.r2.owner)
        colleague = make_request(world.r1, world.r1.owner)
        client = login(Client(), world.r1.employee)
        for hidden in (other_account, colleague):
            assert client.get(hidden.get_absolute_url()).status_code == 404
        assert client.get(reverse("support:request_detail", args=[999999])).status_code == 404


class TestTheOperatorArea:
    def test_support_lists_requests_by_status(self, world):
        make_request(world.r1, message="offen")
        make_request(world.r2, message="beantwortet", status="answered", reply="Erledigt.")
        client = operator(world)
        url = reverse("admin:support_supportrequest_changelist")
        assert client.get(url).context["cl"].result_count == 2
        assert [r.message for r in client.get(url, {"status__exact": "open"}).context["cl"].result_list] == ["offen"]

    def test_an_answer_is_mailed_back_audited_and_shown_in_the_senders_list(
        self, world, settings, mailoutbox, django_capture_on_commit_callbacks
    ):
        settings.SITE_URL = "https://portal.provider.test"
        sent = make_request(world.r1, world.r1.employee, message="Neues Template bitte")
        url = reverse("admin:support_supportrequest_change", args=[sent.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = operator(world).post(url, {"reply": "Ist angelegt: kunden.example.de", "_save": "1"})
        assert response.status_code == 302
        sent.refresh_from_db()
        assert (sent.status, sent.replied_by, sent.reply) == (
            "answered",
            world.staff,
            "Ist angelegt: kunden.example.de",
        )
        assert sent.replied_at is not None
        [mail] = mailoutbox
        assert mail.to == [world.r1.employee.email]
        assert "Ist angelegt: kunden.example.de" in mail.body
        assert f"https://portal.provider.test{sent.get_absolute_url()}" in mail.body
        entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(sent.pk))
        assert (entry.account, entry.user) == (world.r1.account, world.staff)
        assert entry.changes["status"] == ["open", "answered"]
        client = login(Client(), world.r1.employee)
        assert "Ist angelegt: kunden.example.de" in client.get(sent.get_absolute_url()).content.decode()
        assert "answered" in client.get(LIST_URL).content.decode()

    def test_an_empty_answer_is_refused(self, world, mailoutbox):
        sent = make_request(world.r1)
        url = reverse("admin:support_supportrequest_change", args=[sent.pk])
        response = operator(world).post(url, {"reply": "   ", "_save": "1"})
        assert response.status_code == 200
        sent.refresh_from_db()
        assert sent.status == "open"
        assert mailoutbox == []

    def test_staff_without_two_factor_cannot_answer(self, world):
        sent = make_request(world.r1)
        client = login(Client(), world.staff)
        url = reverse("admin:support_supportrequest_change", args=[sent.pk])
        response = client.post(url, {"reply": "x", "_save": "1"})
        assert response.status_code == 302
        sent.refresh_from_db()
        assert sent.status == "open"


class TestTheAPI:
    def test_the_list_holds_the_senders_own_requests_with_answers(self, world):
        mine = make_request(world.r1, world.r1.owner, status="answered", reply="Antwort")
        make_request(world.r1, world.r1.admin)
        make_request(world.r2, world.r2.owner)
        body = api_client(world.r1).get(API_URL).json()
        assert body["count"] == 1
        assert body["items"][0]["id"] == mine.pk
        assert body["items"][0]["reply"] == "Antwort"
        assert body["items"][0]["status"] == "answered"

    def test_create_validates_like_the_form(self, world, django_capture_on_commit_callbacks, mailoutbox):
        client = api_client(world.r1, Role.EMPLOYEE)
        response = client.post(
            API_URL,
            {"topic": "other", "message": "x", "object_url": "https://evil.test/"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["object_url"]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                API_URL, {"topic": "new_portal_url", "message": "Bitte neue URL"}, content_type="application/json"
            )
        assert response.status_code == 201
        assert response.json()["status"] == "open"
        assert SupportRequest.objects.get().sender == world.r1.employee
        assert len(mailoutbox) == 1

    def test_create_is_throttled_with_retry_after(self, world):
        client = api_client(world.r1)
        body = {"topic": "other", "message": "x"}
        for _number in range(REQUESTS_PER_USER):
            assert client.post(API_URL, body, content_type="application/json").status_code == 201
        response = client.post(API_URL, body, content_type="application/json")
        assert response.status_code == 429
        assert response["Retry-After"] == "3600"

    def test_another_accounts_request_is_404(self, world):
        hidden = make_request(world.r2, world.r2.owner)
        assert api_client(world.r1).get(f"{API_URL}{hidden.pk}/").status_code == 404
        assert api_client(world.r2).get(f"{API_URL}{hidden.pk}/").status_code == 200
