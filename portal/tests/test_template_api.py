"""/api/v1/portal-templates/: what the page edits, never the portal URL, never the password (SEC-04, IV-09)."""

import json

import pytest

from audit.models import AuditEntry
from audit.services import MASK
from conftest import api_client
from core.roles import Role
from portal.tests.template_fixtures import STORED_PASSWORD, make_template

pytestmark = pytest.mark.django_db

LIST = "/api/v1/portal-templates/"


def detail(template):
    return f"{LIST}{template.pk}/"


def patch(client, template, body):
    return client.patch(detail(template), json.dumps(body), content_type="application/json")


def test_the_list_holds_the_accounts_templates_without_the_password(world, templates):
    mine, _theirs = templates
    response = api_client(world.r1, Role.ADMIN).get(LIST)
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["id"] == mine.pk and item["portal_url"] == "https://kunden.r1-agentur.test"
    assert item["mail_password_set"] is True and "mail_password" not in item
    assert STORED_PASSWORD not in response.content.decode()
    assert item["logo_url"] == ""


def test_employees_get_403_and_other_accounts_404(world, templates):
    mine, theirs = templates
    assert api_client(world.r1, Role.EMPLOYEE).get(LIST).status_code == 403
    assert api_client(world.r1).get(detail(theirs)).status_code == 404
    assert patch(api_client(world.r1), theirs, {"title": "X"}).status_code == 404
    assert api_client(world.c1).get(LIST).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title != "X"


def test_a_patch_changes_the_fields_and_keeps_the_password(world, templates):
    mine, _theirs = templates
    response = patch(api_client(world.r1), mine, {"portal_name": "Neu", "color_1": "#112233"})
    assert response.status_code == 200, response.content
    assert (response.json()["portal_name"], response.json()["color_1"]) == ("Neu", "#112233")
    mine.refresh_from_db()
    assert mine.mail_password == STORED_PASSWORD


def test_a_new_password_is_written_but_never_read_back(world, templates):
    mine, _theirs = templates
    response = patch(api_client(world.r1), mine, {"mail_password": "ZZ-API-SECRET"})
    assert response.status_code == 200
    assert "ZZ-API-SECRET" not in response.content.decode()
    mine.refresh_from_db()
    assert mine.mail_password == "ZZ-API-SECRET"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(mine.pk))
    assert entry.changes == {"mail_password": [MASK, MASK]}


def test_a_changed_mail_host_without_the_password_is_refused(world, templates):
    mine, _theirs = templates
    response = patch(api_client(world.r1), mine, {"mail_host": "smtp.evil.test"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["mail_password"]
    mine.refresh_from_db()
    assert mine.mail_host == "127.0.0.1"


@pytest.mark.parametrize("field", ["portal_url", "host"])
def test_the_portal_url_and_host_are_refused_by_name(world, templates, field):
    mine, _theirs = templates
    response = patch(api_client(world.r1), mine, {field: "https://evil.test", "title": "Neu"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == [field]
    mine.refresh_from_db()
    assert (mine.portal_url, mine.host, mine.title) == (
        "https://kunden.r1-agentur.test",
        "kunden.r1-agentur.test",
        "kunden.r1-agentur.test Kundenportal",
    )


def test_the_unchanged_portal_url_may_come_back(world, templates):
    mine, _theirs = templates
    body = {"portal_url": mine.portal_url, "host": mine.host, "title": "Neu"}
    assert patch(api_client(world.r1), mine, body).status_code == 200


@pytest.mark.parametrize("colour", ["red;}body{display:none", "#1a2b3c\n", "#fff", "＃112233"])
def test_a_colour_that_is_not_rrggbb_is_a_422(world, templates, colour):
    mine, _theirs = templates
    response = patch(api_client(world.r1), mine, {"color_3": colour})
    if colour == "#1a2b3c\n":
        # The form strips the line break, as on the page; what is stored is exactly #rrggbb.
        assert response.status_code == 200
        mine.refresh_from_db()
        assert mine.color_3 == "#1a2b3c"
        return
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["color_3"]


def test_the_test_mail_goes_through_the_saved_settings(world, reseller_smtp_server):
    mine = make_template(
        world.r1.account, "kunden.r1-agentur.test", mail_port=reseller_smtp_server.port, mail_password="secret"
    )
    response = api_client(world.r1).post(f"{detail(mine)}test-mail/")
    assert response.status_code == 200
    assert response.json() == {"sent_to": world.r1.owner.email}
    assert len(reseller_smtp_server.messages) == 1


def test_a_failed_test_mail_is_a_422_with_the_reason(world, reseller_smtp_server):
    mine = make_template(
        world.r1.account, "kunden.r1-agentur.test", mail_port=reseller_smtp_server.port, mail_password="wrong"
    )
    response = api_client(world.r1).post(f"{detail(mine)}test-mail/")
    assert response.status_code == 422
    assert "refused the login" in response.json()["detail"][0]["msg"]


def test_the_export_holds_the_lists_columns_and_never_the_password(world, templates):
    client = api_client(world.r1)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"{LIST}export/", {"format": fmt})
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert STORED_PASSWORD.encode() not in body
    response = client.get(f"{LIST}export/")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[:2] == [
        "Portal name;Portal name 2;URL",
        "kunden.r1-agentur.test Portal;Kundenportal;https://kunden.r1-agentur.test",
    ]


def test_the_list_searches_like_the_page(world, templates):
    client = api_client(world.r1)
    assert client.get(LIST, {"q": "r1-agentur"}).json()["count"] == 1
    assert client.get(LIST, {"q": "nothing-like-it"}).json()["count"] == 0
