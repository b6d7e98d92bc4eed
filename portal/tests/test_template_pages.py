"""Administration → Portal Templates: the list and "Template bearbeiten" for the reseller (issue #19)."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import MASK
from conftest import login
from portal.models import PortalTemplate
from portal.tests.template_fixtures import STORED_PASSWORD, image_bytes, make_template, upload

pytestmark = pytest.mark.django_db

LIST = reverse("portal:template_list")


def edit_url(template):
    return reverse("portal:template_edit", args=[template.pk])


def form_data(template, **changes):
    """What the edit page posts when nothing is touched (the password field comes empty)."""
    fields = [
        "title",
        "portal_name",
        "portal_name_2",
        "home_url",
        "contact_url",
        "imprint_url",
        "privacy_url",
        "terms_url",
        "mail_host",
        "mail_port",
        "mail_security",
        "mail_username",
        "mail_from",
        "mail_from_name",
        "mail_footer",
        "color_1",
        "color_2",
        "color_3",
        "color_4",
    ]
    return {name: getattr(template, name) for name in fields} | {"mail_password": ""} | changes


def raw_password(template):
    with connection.cursor() as cursor:
        cursor.execute("SELECT mail_password FROM portal_portaltemplate WHERE id = %s", [template.pk])
        return cursor.fetchone()[0]


# --- the list -------------------------------------------------------------------------------------------


def test_the_list_shows_the_accounts_templates_with_a_yellow_edit_button(world, templates):
    mine, theirs = templates
    body = login(Client(), world.r1.admin).get(LIST).content.decode()
    assert "kunden.r1-agentur.test Portal" in body and "https://kunden.r1-agentur.test" in body
    assert "ZWEI Portal" not in body and "r2-agentur" not in body
    assert f'class="btn btn-warning btn-sm" href="{edit_url(mine)}"' in body
    for header in ("Portal name", "Portal name 2", "URL"):
        assert f">{header}<" in body or f">{header} " in body or header in body
    assert 'data-testid="no-template"' not in body


def test_the_list_says_support_sets_up_the_first_template(world):
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    body = client.get(LIST).content.decode()
    assert 'data-testid="no-template"' in body
    assert "Für Ihr Konto gibt es noch kein Portal Template." in body
    assert "Bitte wenden Sie sich über den Kontakt-Link an den Support." in body


def test_the_list_is_in_the_administration_menu_of_owners_and_admins_only(world):
    for user, shown in ((world.r1.owner, True), (world.r1.admin, True), (world.r1.employee, False)):
        body = login(Client(), user).get("/").content.decode()
        assert (f'href="{LIST}"' in body) is shown, user
    assert f'href="{LIST}"' not in login(Client(), world.c1.owner).get("/").content.decode()


def test_employees_get_403_and_other_accounts_404(world, templates):
    mine, _theirs = templates
    assert login(Client(), world.r1.employee).get(LIST).status_code == 403
    assert login(Client(), world.r1.employee).get(edit_url(mine)).status_code == 403
    assert login(Client(), world.c1.owner).get(LIST).status_code == 404
    assert login(Client(), world.r2.owner).get(edit_url(mine)).status_code == 404
    assert login(Client(), world.r2.owner).post(edit_url(mine), form_data(mine, title="X")).status_code == 404
    mine.refresh_from_db()
    assert mine.title == "kunden.r1-agentur.test Kundenportal"


def test_exports_hold_the_columns_and_never_the_password(world, templates):
    client = login(Client(), world.r1.owner)
    response = client.get(LIST, {"export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0] == ["Portal name", "Portal name 2", "URL"]
    assert rows[1] == ["kunden.r1-agentur.test Portal", "Kundenportal", "https://kunden.r1-agentur.test"]
    for fmt in ("csv", "xlsx", "pdf", "print", "copy"):
        response = client.get(LIST, {"export": fmt})
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert STORED_PASSWORD.encode() not in body, fmt


# --- the edit page ----------------------------------------------------------------------------------------


def test_the_edit_page_has_the_four_sections_and_shows_the_portal_url_read_only(world, templates):
    mine, _theirs = templates
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    body = client.get(edit_url(mine)).content.decode()
    for section in ("Portaldaten", "Allgemeine Links", "E-Mail Einstellungen", "Designereinstellungen"):
        assert section in body
    for label in ("Titel", "Portal Name", "Portal Name 2", "Home URL", "Kontakt URL", "Impressum URL", "Mail Host"):
        assert f">{label}" in body, label
    assert 'value="https://kunden.r1-agentur.test" readonly' in body
    assert 'name="portal_url"' not in body
    assert STORED_PASSWORD not in body
    assert 'type="color"' in body and "Verbindung testen" in body


def test_a_forged_portal_url_is_ignored(world, templates):
    mine, _theirs = templates
    client = login(Client(), world.r1.admin)
    data = form_data(mine, portal_url="https://evil.test", host="evil.test", title="Neu")
    assert client.post(edit_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.portal_url, mine.host) == (
        "Neu",
        "https://kunden.r1-agentur.test",
        "kunden.r1-agentur.test",
    )


def test_an_empty_password_field_keeps_the_stored_password(world, templates):
    mine, _theirs = templates
    response = login(Client(), world.r1.owner).post(edit_url(mine), form_data(mine, mail_from_name="Neu"))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.mail_password, mine.mail_from_name) == (STORED_PASSWORD, "Neu")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(mine.pk))
    assert entry.changes == {"mail_from_name": ["Agentur", "Neu"]}


def test_a_new_password_is_stored_encrypted_and_audited_without_its_value(world, templates):
    mine, _theirs = templates
    data = form_data(mine, mail_password="ZZ-NEW-SECRET")
    assert login(Client(), world.r1.owner).post(edit_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert mine.mail_password == "ZZ-NEW-SECRET"
    stored = raw_password(mine)
    assert stored.startswith("fernet:") and "ZZ-NEW-SECRET" not in stored
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(mine.pk))
    assert entry.account == world.r1.account and entry.user == world.r1.owner
    assert entry.changes == {"mail_password": [MASK, MASK]}
    assert "ZZ-NEW-SECRET" not in str(entry.changes) and STORED_PASSWORD not in str(entry.changes)
    activity = login(Client(), world.r1.owner).get(reverse("audit:auditentry_list")).content.decode()
    assert "ZZ-NEW-SECRET" not in activity and STORED_PASSWORD not in activity


def test_the_stored_password_can_be_removed(world, templates):
    mine, _theirs = templates
    data = form_data(mine, mail_password_clear="on")
    assert login(Client(), world.r1.owner).post(edit_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert mine.mail_password == ""


def test_a_changed_mail_host_needs_the_password_again(world, templates):
    """The stored password goes only to the server it was entered for (SECURITY-TESTS SEC-05)."""
    mine, _theirs = templates
    client = login(Client(), world.r1.owner)
    response = client.post(edit_url(mine), form_data(mine, mail_host="smtp.evil.test"))
    assert response.status_code == 200
    assert "please enter the mail password again" in response.content.decode()
    mine.refresh_from_db()
    assert mine.mail_host == "127.0.0.1"
    data = form_data(mine, mail_host="smtp.other.test", mail_password="new-secret")
    assert client.post(edit_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert (mine.mail_host, mine.mail_password) == ("smtp.other.test", "new-secret")


@pytest.mark.parametrize(
    "colour",
    ["red;}body{display:none", "#fff;}</style><script>", "red", "#fff", "＃112233", "#１１２２３３", "x" * 10_000],
)
def test_a_colour_that_is_not_rrggbb_is_a_field_error(world, templates, colour):
    mine, _theirs = templates
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    response = client.post(edit_url(mine), form_data(mine, color_2=colour))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["color_2"]
    if len(colour) <= 7:
        assert "Bitte eine Farbe im Format #rrggbb angeben" in response.content.decode()
    mine.refresh_from_db()
    assert mine.color_2 == "#6c757d"


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "https://user:pw@host.test/"]
)
def test_links_are_http_or_https_without_user_info(world, templates, link):
    mine, _theirs = templates
    response = login(Client(), world.r1.owner).post(edit_url(mine), form_data(mine, imprint_url=link))
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.imprint_url == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mail_from_name", "R1\r\nBcc: a@evil.test"),
        ("mail_from", "x@r1.test>\r\nRCPT TO:<y@evil.test"),
        ("portal_name", "Portal\u202egnp.exe"),
        ("mail_host", "http://mail.example.com"),
        ("mail_host", "mail.example.com:25"),
        ("mail_host", "mail example com"),
    ],
)
def test_header_injection_and_odd_hosts_are_field_errors(world, templates, field, value):
    mine, _theirs = templates
    before = getattr(mine, field)
    response = login(Client(), world.r1.owner).post(edit_url(mine), form_data(mine, **{field: value}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    mine.refresh_from_db()
    assert getattr(mine, field) == before


def test_a_mail_host_inside_the_providers_network_is_refused_in_production(world, templates, settings):
    settings.MAIL_ALLOW_PRIVATE_HOSTS = False
    mine, _theirs = templates
    data = form_data(mine, mail_host="10.0.0.5", mail_password="new-secret")
    response = login(Client(), world.r1.owner).post(edit_url(mine), data)
    assert "not reachable for the portal" in response.content.decode()
    mine.refresh_from_db()
    assert mine.mail_host == "127.0.0.1"


def test_a_host_name_is_stored_in_its_canonical_form(world, templates):
    mine, _theirs = templates
    data = form_data(mine, mail_host="Mail.Bücher.example", mail_password="new-secret")
    assert login(Client(), world.r1.owner).post(edit_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert mine.mail_host == "mail.xn--bcher-kva.example"


# --- images -----------------------------------------------------------------------------------------------


def test_a_logo_is_stored_under_a_random_name_and_served_as_png_with_nosniff(world, templates, media):
    mine, _theirs = templates
    client = login(Client(), world.r1.owner)
    data = form_data(mine, logo=upload(image_bytes(), name="../../settings.py.png"))
    assert client.post(edit_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert mine.logo.name.startswith(f"portal/{world.r1.account.pk}/") and "settings" not in mine.logo.name
    assert media.exists(mine.logo.name)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(mine.pk))
    assert entry.changes == {"logo": [MASK, MASK]}

    response = Client().get(mine.image_url("logo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "max-age" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert f'src="{mine.image_url("logo")}"' in client.get(edit_url(mine)).content.decode().replace("&amp;", "&")


def test_an_image_is_kept_without_a_new_upload_and_the_old_file_goes_after_a_replacement(
    world, templates, media, django_capture_on_commit_callbacks
):
    mine, _theirs = templates
    client = login(Client(), world.r1.owner)
    client.post(edit_url(mine), form_data(mine, icon=upload(image_bytes(), name="icon.png")))
    mine.refresh_from_db()
    first = mine.icon.name
    client.post(edit_url(mine), form_data(mine, title="Nur Titel"))
    mine.refresh_from_db()
    assert mine.icon.name == first
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(mine), form_data(mine, icon=upload(image_bytes("WEBP"), name="icon.webp")))
    mine.refresh_from_db()
    assert mine.icon.name != first and mine.icon.name.endswith(".webp")
    assert not media.exists(first) and media.exists(mine.icon.name)
    assert Client().get(mine.image_url("icon"))["Content-Type"] == "image/webp"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
        (b"<html><script>alert(1)</script></html>", "logo.png"),
    ],
)
def test_svg_and_html_are_refused_with_a_german_field_error(world, templates, data, name):
    mine, _theirs = templates
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    response = client.post(edit_url(mine), form_data(mine, logo=upload(data, name=name)))
    assert response.status_code == 200
    assert "Bitte ein PNG-, JPEG- oder WebP-Bild hochladen." in response.content.decode()
    mine.refresh_from_db()
    assert not mine.logo


def test_a_decompression_bomb_is_a_field_error_not_a_crash(world, templates):
    from portal.tests.template_fixtures import png_declaring

    mine, _theirs = templates
    response = login(Client(), world.r1.owner).post(
        edit_url(mine), form_data(mine, favicon=upload(png_declaring(100_000, 100_000), name="favicon.png"))
    )
    assert response.status_code == 200
    assert "larger than 4096 × 4096 pixels" in response.content.decode()


def test_the_image_address_answers_404_for_what_is_not_there(world, templates):
    mine, _theirs = templates
    client = Client()
    assert client.get(reverse("portal:template_image", args=[mine.pk, "logo"])).status_code == 404
    assert client.get(reverse("portal:template_image", args=[mine.pk, "mail_password"])).status_code == 404
    assert client.get(reverse("portal:template_image", args=[999999, "logo"])).status_code == 404


# --- Verbindung testen -------------------------------------------------------------------------------------


def test_the_connection_test_sends_a_mail_with_the_unsaved_values(world, reseller_smtp_server):
    mine = make_template(
        world.r1.account, "kunden.r1-agentur.test", mail_port=reseller_smtp_server.port, mail_password="secret"
    )
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    data = form_data(mine, mail_from_name="Ungespeichert", test_mail="1")
    response = client.post(edit_url(mine), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="mail-test-result"' in body and "Verbindungstest erfolgreich." in body
    (message,) = reseller_smtp_server.messages
    assert message.rcpt_tos == [world.r1.owner.email]
    assert "From: Ungespeichert <portal@kunden.r1-agentur.test>" in message.content.decode()
    mine.refresh_from_db()
    assert mine.mail_from_name == "Agentur"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).exists()


def test_a_refused_login_is_shown_in_german(world, reseller_smtp_server):
    mine = make_template(
        world.r1.account, "kunden.r1-agentur.test", mail_port=reseller_smtp_server.port, mail_password="wrong"
    )
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    response = client.post(edit_url(mine), form_data(mine, test_mail="1"))
    body = response.content.decode()
    assert "Verbindungstest fehlgeschlagen." in body
    assert "Der Mailserver hat die Anmeldung abgelehnt. Bitte Mail Username und Mail Passwort prüfen." in body
    assert reseller_smtp_server.messages == []


def test_the_connection_test_never_sends_the_stored_password_to_another_server(world, reseller_smtp_server):
    """The stored password is the right one for the server on the new port: without the rule it would log in."""
    mine = make_template(world.r1.account, "kunden.r1-agentur.test", mail_port=2525, mail_password="secret")
    data = form_data(mine, mail_port=reseller_smtp_server.port, test_mail="1")
    body = login(Client(), world.r1.owner).post(edit_url(mine), data).content.decode()
    assert "please enter the mail password again" in body
    assert reseller_smtp_server.logins == [] and reseller_smtp_server.messages == []


def test_the_connection_test_is_limited_per_account(world, reseller_smtp_server):
    mine = make_template(
        world.r1.account, "kunden.r1-agentur.test", mail_port=reseller_smtp_server.port, mail_password="secret"
    )
    client = login(Client(), world.r1.owner)
    for _attempt in range(10):
        client.post(edit_url(mine), form_data(mine, test_mail="1"))
    body = client.post(edit_url(mine), form_data(mine, test_mail="1")).content.decode()
    assert "Too many connection tests" in body
    assert len(reseller_smtp_server.messages) == 10


# --- the operator area ------------------------------------------------------------------------------------


def test_operator_changes_are_in_the_resellers_activity(world, templates):
    from tests.test_view_matrix import verified

    mine, _theirs = templates
    client = verified(login(Client(), world.staff), world.staff)
    url = reverse("admin:portal_portaltemplate_change", args=[mine.pk])
    data = {"portal_url": "https://neu.r1-agentur.test", "title": mine.title, "portal_name": "Neu", "portal_name_2": ""}
    assert client.post(url, data).status_code == 302
    mine.refresh_from_db()
    assert mine.host == "neu.r1-agentur.test"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(mine.pk))
    assert entry.account == world.r1.account and entry.user == world.staff
    assert entry.changes == {
        "portal_url": ["https://kunden.r1-agentur.test", "https://neu.r1-agentur.test"],
        "portal_name": ["kunden.r1-agentur.test Portal", "Neu"],
        "portal_name_2": ["Kundenportal", ""],
    }
    assert PortalTemplate.objects.get(pk=mine.pk).mail_password == STORED_PASSWORD


def test_a_template_created_by_staff_is_recorded_as_created(world):
    from tests.test_view_matrix import verified

    client = verified(login(Client(), world.staff), world.staff)
    data = {
        "reseller_account": world.r1.account.pk,
        "portal_url": "https://Kunden.Neu.test/",
        "title": "",
        "portal_name": "N",
    }
    assert client.post(reverse("admin:portal_portaltemplate_add"), data).status_code == 302
    template = PortalTemplate.objects.get(host="kunden.neu.test")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(template.pk))
    assert entry.account == world.r1.account
    assert entry.changes["portal_url"] == [None, "https://kunden.neu.test"]
    assert not {"logo", "icon", "favicon", "mail_password"} & set(entry.changes)


def test_a_template_deleted_by_staff_is_recorded_and_its_images_go(
    world, templates, media, django_capture_on_commit_callbacks
):
    from tests.test_view_matrix import verified

    mine, _theirs = templates
    login(Client(), world.r1.owner).post(edit_url(mine), form_data(mine, logo=upload(image_bytes())))
    mine.refresh_from_db()
    logo = mine.logo.name
    assert media.exists(logo)
    client = verified(login(Client(), world.staff), world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:portal_portaltemplate_delete", args=[mine.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not PortalTemplate.objects.filter(pk=mine.pk).exists()
    assert not media.exists(logo)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE, object_id=str(mine.pk))
    assert (entry.account, entry.user) == (world.r1.account, world.staff)
