"""The end-customer portal on a reseller's host: routing, login per host, sessions per host, the pages."""

import re

import httpx
import pytest
from django.core import mail
from django.test import Client

from conftest import login, make_user
from customers.models import PortalUser
from hosting.models import HostingServer, ResellerHosting
from plesk.sandbox import SandboxServer
from portal.models import PortalTemplate
from portal.tests.helpers import HOST_A, HOST_B, MAIN_HOST, give_products, make_portals, portal_login
from products.models import ResellerProduct

pytestmark = pytest.mark.django_db
WRONG_LOGIN = "Please enter a correct username or e-mail and password."


@pytest.fixture
def portals(world):
    return make_portals(world)


@pytest.fixture
def data(world, portals):
    return give_products(world)


class TestRouting:
    def test_a_template_host_gets_the_end_customer_portal(self, world, portals):
        page = Client(HTTP_HOST=HOST_A).get("/login/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "ZZ-R1-MARKER Portal" in html
        assert "Partnerportal" not in html

    def test_the_main_host_still_gets_the_main_portal(self, world, portals):
        assert "Partnerportal" in Client().get("/login/").content.decode()

    @pytest.mark.parametrize("host", ["evil.test", f"{HOST_A}@evil.test", "kunden.r3-agentur.test", "evil.test:80"])
    def test_any_other_host_gets_400(self, world, portals, host):
        response = Client(HTTP_HOST=host).get("/login/")
        assert response.status_code == 400
        assert "ZZ-R1-MARKER" not in response.content.decode()

    def test_a_host_with_port_and_upper_case_finds_its_template(self, world, portals):
        assert Client(HTTP_HOST="KUNDEN.r1-agentur.test:8443").get("/login/").status_code == 200

    def test_a_new_template_works_at_once_and_a_deleted_one_stops(self, world, portals):
        assert Client(HTTP_HOST="portal.neu.test").get("/login/").status_code == 400
        template = PortalTemplate.objects.create(account=world.r1.account, portal_url="https://portal.neu.test")
        assert Client(HTTP_HOST="portal.neu.test").get("/login/").status_code == 200
        template.delete()
        assert Client(HTTP_HOST="portal.neu.test").get("/login/").status_code == 400

    @pytest.mark.parametrize("path", ["/customers/", "/api/v1/me", "/operator/", "/contracts/", "/account/members/"])
    def test_main_portal_urls_do_not_exist_on_a_portal_host(self, world, portals, path):
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        response = client.get(path)
        assert response.status_code == 404
        assert "Partnerportal" not in response.content.decode()

    def test_the_theme_is_a_stylesheet_of_the_templates_colours(self, world, portals):
        response = Client(HTTP_HOST=HOST_A).get("/theme.css")
        assert response["Content-Type"].startswith("text/css")
        css = response.content.decode()
        assert "--bs-primary: #aa3300;" in css
        assert "--bs-primary-rgb: 170, 51, 0;" in css

    def test_a_stored_colour_that_is_not_hex_never_reaches_the_css(self, world, portals):
        PortalTemplate.objects.filter(pk=portals[0].pk).update(color_1="red;}a{")
        css = Client(HTTP_HOST=HOST_A).get("/theme.css").content.decode()
        assert "display:none" not in css
        assert "--bs-primary: #0d6efd;" in css

    def test_the_layout_shows_name_title_footer_links_and_the_theme(self, world, portals, data):
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        html = client.get("/").content.decode()
        assert "<title>Overview · ZZ-R1-MARKER Kundencenter</title>" in html
        assert "Ihr Webhosting" in html
        assert 'href="https://r1.example/kontakt"' in html
        assert 'href="https://r1.example/impressum"' in html
        assert re.search(r'href="/theme.css\?v=\d+"', html)
        assert "Partnerportal" not in html


class TestLogin:
    def test_a_portal_user_logs_in_on_their_resellers_portal(self, world, portals):
        client, response = portal_login(HOST_A, world.r1.portal_user.user)
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.get("/").status_code == 200

    @pytest.mark.parametrize("host", [HOST_B, MAIN_HOST])
    def test_nowhere_else(self, world, portals, host):
        _client, response = portal_login(host, world.r1.portal_user.user)
        assert response.status_code == 200
        assert WRONG_LOGIN in response.content.decode()

    @pytest.mark.parametrize("who", ["owner", "staff", "r2_portal"])
    def test_members_staff_and_other_resellers_portal_users_cannot_log_in_on_a_portal(self, world, portals, who):
        user = {"owner": world.r1.owner, "staff": world.staff, "r2_portal": world.r2.portal_user.user}[who]
        _client, response = portal_login(HOST_A, user)
        assert response.status_code == 200
        assert WRONG_LOGIN in response.content.decode()

    def test_the_same_message_as_a_wrong_password(self, world, portals):
        _client, response = portal_login(HOST_A, world.r1.portal_user.user, password="wrong-password-1")
        assert WRONG_LOGIN in response.content.decode()

    def test_the_per_ip_throttle_counts_refusals_on_portal_hosts(self, world, portals, settings):
        settings.LOGIN_FAILURES_PER_IP = 2
        for _attempt in range(2):
            portal_login(HOST_A, world.r1.owner)
        _client, response = portal_login(HOST_A, world.r1.portal_user.user)
        assert response.status_code == 429
        assert "Partnerportal" not in response.content.decode()

    def test_a_portal_user_with_two_factor_login_gives_the_code(self, world, portals):
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=world.r1.portal_user.user, name="app", confirmed=True)
        client, response = portal_login(HOST_A, world.r1.portal_user.user)
        assert response["Location"] == "/login/code/"
        assert client.get("/").status_code == 302
        response = client.post("/login/code/", {"token": f"{totp(device.bin_key):06d}"})
        assert response.status_code == 302
        assert client.get("/").status_code == 200


class TestSessions:
    def cookie(self, client):
        return client.cookies["sessionid"].value

    def with_cookie(self, host, value):
        client = Client(HTTP_HOST=host)
        client.cookies["sessionid"] = value
        return client

    def test_a_portal_session_is_worth_nothing_on_another_portal_or_the_main_host(self, world, portals):
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        stolen = self.cookie(client)
        for host in (HOST_B, MAIN_HOST):
            response = self.with_cookie(host, stolen).get("/")
            assert response.status_code == 302
            assert response["Location"].startswith("/login/")
        # Used elsewhere, the session has ended; not even its own host takes it back.
        assert self.with_cookie(HOST_A, stolen).get("/").status_code == 302

    def test_a_main_portal_session_is_worth_nothing_on_a_portal(self, world, portals):
        main = login(Client(), world.r1.owner)
        assert main.get("/").status_code == 200
        response = self.with_cookie(HOST_A, self.cookie(main)).get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    def test_deactivating_the_portal_user_ends_their_session_at_once(self, world, portals):
        from customers.services import set_portal_user_active

        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        set_portal_user_active(world.r1.actor(), world.r1.portal_user, False)
        assert client.get("/").status_code == 302

    def test_deleting_the_portal_user_ends_their_session_at_once(self, world, portals):
        from customers.services import delete_portal_user

        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        delete_portal_user(world.r1.actor(), world.r1.portal_user)
        assert client.get("/").status_code == 302

    def test_the_api_refuses_a_portal_users_session(self, world, portals):
        client = login(Client(), world.r1.portal_user.user)
        assert client.get("/api/v1/me/").status_code == 401


class TestPages:
    @pytest.mark.parametrize("path", ["/", "/products/", "/domains/", "/profile/", "/profile/password/"])
    def test_every_page_answers_the_portal_user(self, world, portals, data, path):
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        response = client.get(path)
        assert response.status_code == 200
        page = response.content.decode()
        # R2's names, numbers and domains (a bare "R2" could be part of a random activation code on Profil).
        for of_r2 in ("R2 Kundenfirma", "R2-1", "R2 Produkt", "R2 Vertrag", "r2-kunde.de", "r2-shop.de", "r2-portal"):
            assert of_r2 not in page

    def test_the_hosting_page_and_another_customers_hosting(self, world, portals, data):
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        assert client.get(f"/hostings/{data['r1_hosting'].pk}/").status_code == 200
        assert client.get(f"/hostings/{data['r2_hosting'].pk}/").status_code == 404
        assert client.post(f"/hostings/{data['r2_hosting'].pk}/plesk/").status_code == 404

    def test_a_hosting_of_another_customer_of_the_same_reseller_is_not_found(self, world, portals, data):
        other = data["r1_hosting"]
        other.end_customer = world.r1.plain_customer
        other.save()
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        assert client.get(f"/hostings/{other.pk}/").status_code == 404

    def test_the_overview_counts_products_and_domains(self, world, portals, data):
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        html = client.get("/").content.decode()
        assert re.search(r'data-testid="product-count">2<', html)
        assert re.search(r'data-testid="domain-count">1<', html)
        assert "r1-shop.de" in html

    def test_products_show_the_resellers_name_and_price_never_the_shop_product(self, world, portals, data):
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        html = client.get("/products/").content.decode()
        assert "ZZ-R1-MARKER Produkt" in html
        assert "9,90 €" in html
        assert "net plus VAT" in html
        assert "R1 Hosting Paket" in html
        assert "7,50 €" in html
        assert "Webhosting Test" not in html

    def test_with_in_app_prices_the_in_app_info_is_shown(self, world, portals, data):
        ResellerProduct.objects.filter(pk=world.r1.product.pk).update(
            in_app_prices=True, in_app_info="Speicher wird nach Verbrauch abgerechnet."
        )
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        assert "Speicher wird nach Verbrauch abgerechnet." in client.get("/products/").content.decode()

    def test_domains_show_the_registrar_state(self, world, portals, data):
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        html = client.get("/domains/").content.decode()
        assert "r1-kunde.de" in html
        assert "r2-kunde.de" not in html
        assert "verification pending" in html

    def test_anonymous_visitors_are_sent_to_the_portals_login(self, world, portals):
        response = Client(HTTP_HOST=HOST_A).get("/products/")
        assert response.status_code == 302
        assert response["Location"] == "/login/?next=/products/"


class TestPasswordReset:
    def test_the_link_leads_to_the_templates_portal_url(self, world, portals, django_capture_on_commit_callbacks):
        user = world.r1.portal_user.user
        client = Client(HTTP_HOST=HOST_A)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/password/reset/", {"email": user.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
        assert link.startswith(f"https://{HOST_A}/password/reset/")
        path = link.removeprefix(f"https://{HOST_A}")
        form = client.get(path, follow=True)
        assert form.status_code == 200
        done = client.post(
            form.redirect_chain[-1][0], {"new_password1": "Neues-Passwort-42", "new_password2": "Neues-Passwort-42"}
        )
        assert done.status_code == 302
        _client, login_response = portal_login(HOST_A, user, password="Neues-Passwort-42")
        assert login_response.status_code == 302

    def test_no_mail_for_users_of_other_portals_or_the_main_portal(
        self, world, portals, django_capture_on_commit_callbacks
    ):
        for user in (world.r2.portal_user.user, world.r1.owner):
            with django_capture_on_commit_callbacks(execute=True):
                response = Client(HTTP_HOST=HOST_A).post("/password/reset/", {"email": user.email})
            assert response.status_code == 302
        assert mail.outbox == []

    def test_the_main_portal_sends_portal_users_no_reset_link(self, world, portals, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post("/password/reset/", {"email": world.r1.portal_user.user.email})
        assert mail.outbox == []


@pytest.fixture
def sandbox_hosting(world, portals):
    with SandboxServer(
        "127.0.0.1", 0, admin_password="admin-pw-123", seed_demo=True, reseller_password="res-pw-123"
    ) as sandbox:
        host, port = sandbox.url.split("//")[1].split("/")[0].split(":")
        server = HostingServer.objects.create(
            name="S1", host=host, port=int(port), use_tls=False, login="admin", password="admin-pw-123", is_sandbox=True
        )
        contract = world.r1.contract
        contract.hosting_server, contract.plesk_login, contract.plesk_password = server, "reseller-demo", "res-pw-123"
        contract.save()
        product = ResellerProduct.objects.create(
            account=world.r1.account,
            kind=ResellerProduct.Kind.RESELLER_HOSTING,
            contract=contract,
            plan_name="Webhosting S",
            name="Hosting S",
            net_price="5.00",
        )
        hosting = ResellerHosting.objects.create(
            account=world.r1.account,
            end_customer=world.r1.customer,
            product=product,
            contract=contract,
            status=ResellerHosting.Status.ACTIVE,
            plesk_customer_login="kunde-alt",
            subscription_name="kunde-alt.example",
            linked=True,
        )
        yield hosting, server


class TestPlesk:
    def test_open_plesk_signs_in_as_the_customers_own_plesk_login(self, world, sandbox_hosting):
        hosting, server = sandbox_hosting
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        page = client.get(f"/hostings/{hosting.pk}/")
        policy = page["Content-Security-Policy"]
        assert f"form-action 'self' {server.origin}" in policy
        response = client.post(f"/hostings/{hosting.pk}/plesk/")
        assert response.status_code == 302
        landing = httpx.get(response["Location"], follow_redirects=True)
        assert "logged in as kunde-alt" in landing.text

    def test_only_for_hostings_that_are_set_up(self, world, sandbox_hosting):
        hosting, _server = sandbox_hosting
        ResellerHosting.objects.filter(pk=hosting.pk).update(status=ResellerHosting.Status.PROVISIONING)
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        page = client.get(f"/hostings/{hosting.pk}/")
        assert 'data-testid="open-plesk"' not in page.content.decode()
        assert "form-action 'self';" in page["Content-Security-Policy"] + ";"
        assert client.post(f"/hostings/{hosting.pk}/plesk/").status_code == 404


def test_a_second_portal_user_sees_only_their_own_customer(world, portals, data):
    other = PortalUser.objects.create(user=make_user("r1-portal-2"), end_customer=world.r1.plain_customer)
    client, response = portal_login(HOST_A, other.user)
    assert response.status_code == 302
    assert "r1-shop.de" not in client.get("/").content.decode()
    assert client.get(f"/hostings/{data['r1_hosting'].pk}/").status_code == 404


class TestHostHeaderAttacks:
    """SECURITY-TESTS IV-05 (host routing) and AUTH-06 (password-reset poisoning) on portal hosts."""

    def test_case_and_trailing_dot_map_to_the_template(self, world, portals):
        assert "ZZ-R1-MARKER Portal" in Client(HTTP_HOST="KUNDEN.R1-AGENTUR.TEST.").get("/login/").content.decode()

    def test_x_forwarded_host_is_ignored(self, world, portals):
        page = Client(HTTP_HOST=HOST_A, HTTP_X_FORWARDED_HOST=HOST_B).get("/login/").content.decode()
        assert "ZZ-R1-MARKER Portal" in page
        assert "Partnerportal" in Client(HTTP_X_FORWARDED_HOST=HOST_A).get("/login/").content.decode()

    @pytest.mark.parametrize("host", ["evil.test", f"{HOST_A}:1@evil.test"])
    def test_a_reset_with_a_forged_host_is_refused_and_mails_nothing(
        self, world, portals, host, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client(HTTP_HOST=host).post("/password/reset/", {"email": world.r1.portal_user.user.email})
        assert response.status_code == 400
        assert mail.outbox == []

    def test_a_reset_with_x_forwarded_host_links_to_the_stored_url(
        self, world, portals, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            Client(HTTP_HOST=HOST_A, HTTP_X_FORWARDED_HOST="evil.test").post(
                "/password/reset/", {"email": world.r1.portal_user.user.email}
            )
        assert "evil.test" not in mail.outbox[0].body
        assert f"https://{HOST_A}/password/reset/" in mail.outbox[0].body

    def test_a_reset_on_the_wrong_portal_sends_nothing_and_says_the_same(
        self, world, portals, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client(HTTP_HOST=HOST_B).post(
                "/password/reset/", {"email": world.r1.portal_user.user.email}, follow=True
            )
        assert "If the address belongs to a login" in response.content.decode()
        assert mail.outbox == []

    def test_a_template_of_a_deactivated_account_is_an_unknown_host(self, world, portals):
        world.r1.account.is_active = False
        world.r1.account.save()
        assert Client(HTTP_HOST=HOST_A).get("/login/").status_code == 400


def test_a_portal_users_pending_two_factor_login_does_not_finish_on_the_main_host(world, portals):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=world.r1.portal_user.user, name="app", confirmed=True)
    client, _response = portal_login(HOST_A, world.r1.portal_user.user)
    main = Client()
    main.cookies["sessionid"] = client.cookies["sessionid"].value
    response = main.post("/login/code/", {"token": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == "/login/"
    assert main.get("/").status_code == 302


def test_the_tls_ask_endpoint_says_yes_for_portal_hosts_only(world, portals):
    assert Client().get("/portal-hosts/tls-ask/", {"domain": HOST_A}).status_code == 200
    assert Client().get("/portal-hosts/tls-ask/", {"domain": "KUNDEN.r2-agentur.test"}).status_code == 200
    assert Client().get("/portal-hosts/tls-ask/", {"domain": "evil.test"}).status_code == 404
    # Not host names at all (portal/tests/test_tls.py).
    for domain in ("testserver", "", "x" * 400):
        assert Client().get("/portal-hosts/tls-ask/", {"domain": domain}).status_code == 400
    # It is the main portal's, not a portal host's.
    assert Client(HTTP_HOST=HOST_A).get("/portal-hosts/tls-ask/", {"domain": HOST_A}).status_code == 404


def test_the_server_error_page_of_a_portal_shows_no_provider_branding(world, portals, rf):
    from portal.views import error_500

    request = rf.get("/", HTTP_HOST=HOST_A)
    request.portal_template = portals[0]
    html = error_500(request).content.decode()
    assert "ZZ-R1-MARKER Kundencenter" in html
    assert "Partnerportal" not in html
