"""Partnerprofil: owners and administrators edit the account's profile, employees see it, with a logo checked
like every upload and a preview of the public page."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from conftest import login
from profiles.models import PartnerProfile
from profiles.tests.helpers import make_profile, png_upload

pytestmark = pytest.mark.django_db

URL = "/partner-profile/"
FORM = {
    "is_public": "on",
    "display_name": "Webwerk Nord",
    "slug": "",
    "description": "Webdesign & Hosting.\nAus Hamburg.",
    "service_choices": ["webdesign", "seo"],
    "postal_code": "20095",
    "city": "Hamburg",
    "website": "webwerk-nord.test",
    "contact_email": "Hallo@Webwerk-Nord.test",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_administrators_create_the_profile(world, role):
    client = login(Client(), getattr(world.r1, role))
    page = client.get(URL).content.decode()
    assert 'name="display_name"' in page and world.r1.account.name in page
    response = client.post(URL, {**FORM, "logo": png_upload()})
    assert response.status_code == 302
    profile = PartnerProfile.objects.get(account=world.r1.account)
    assert (profile.display_name, profile.slug, profile.services) == ("Webwerk Nord", "webwerk-nord", "webdesign,seo")
    assert profile.website == "https://webwerk-nord.test"
    assert profile.contact_email == "hallo@webwerk-nord.test"
    assert profile.is_public and profile.logo.name.startswith(f"profiles/{world.r1.account.pk}/")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(profile.pk))
    assert entry.user == getattr(world.r1, role) and entry.changes["logo"] == ["••••••", "••••••"]
    page = client.get(URL).content.decode()
    assert "Your profile is public" in page and f'href="{profile.get_absolute_url()}"' in page
    logo = Client().get(profile.logo_url)
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_an_employee_sees_the_profile_and_may_not_change_it(world):
    make_profile(world.r1, "r1-agentur", display_name="R1 Agentur")
    client = login(Client(), world.r1.employee)
    page = client.get(URL).content.decode()
    assert "R1 Agentur" in page and 'name="display_name"' not in page
    assert client.post(URL, FORM).status_code == 403
    assert PartnerProfile.objects.get(account=world.r1.account).display_name == "R1 Agentur"


def test_an_employee_of_an_account_without_profile_is_told_so(world):
    page = login(Client(), world.r1.employee).get(URL).content.decode()
    assert "no partner profile yet" in page


def test_another_account_edits_only_its_own_profile(world):
    make_profile(world.r1, "r1-agentur")
    client = login(Client(), world.r2.owner)
    page = client.get(URL).content.decode()
    assert "ZZ-R1-MARKER" not in page and "r1-agentur" not in page
    client.post(URL, {**FORM, "display_name": "Zweite"})
    assert PartnerProfile.objects.get(account=world.r2.account).display_name == "Zweite"
    assert PartnerProfile.objects.get(account=world.r1.account).slug == "r1-agentur"


def test_a_plain_customer_account_and_anonymous_visitors_do_not_get_the_page(world):
    assert login(Client(), world.c1.owner).get(URL).status_code == 404
    assert Client().get(URL)["Location"].startswith(reverse("users:login"))


def test_a_taken_address_is_a_field_error(world):
    make_profile(world.r2, "webwerk-nord")
    response = login(Client(), world.r1.owner).post(URL, {**FORM, "slug": "webwerk-nord"})
    assert response.status_code == 200
    assert "This address is already taken" in response.content.decode()
    assert not PartnerProfile.objects.filter(account=world.r1.account).exists()


def test_a_name_of_a_taken_slug_gets_the_next_free_one(world):
    make_profile(world.r2, "webwerk-nord")
    login(Client(), world.r1.owner).post(URL, FORM)
    assert PartnerProfile.objects.get(account=world.r1.account).slug == "webwerk-nord-2"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "Text\u202emit Richtungswechsel", "Control characters"),
        ("display_name", "Name\nmit Umbruch", "Control characters"),
        ("description", "x" * 3001, "at most 3000 characters"),
        ("website", "javascript:alert(1)", "Enter a valid web address."),
        ("service_choices", ["webdesign", "mining"], "Select a valid choice"),
    ],
)
def test_what_the_profile_refuses(world, field, value, message):
    response = login(Client(), world.r1.owner).post(URL, {**FORM, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PartnerProfile.objects.exists()


def test_a_logo_that_is_not_an_image_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = SimpleUploadedFile("logo.svg", b"<svg onload=alert(1)></svg>", content_type="image/svg+xml")
    response = login(Client(), world.r1.owner).post(URL, {**FORM, "logo": svg})
    assert "Please upload a PNG, JPEG or WebP image" in response.content.decode()
    assert not PartnerProfile.objects.exists()


def test_a_replaced_logo_is_deleted_and_removing_it_works(world, django_capture_on_commit_callbacks):
    client = login(Client(), world.r1.owner)
    client.post(URL, {**FORM, "logo": png_upload()})
    profile = PartnerProfile.objects.get()
    first = profile.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**FORM, "slug": profile.slug, "logo": png_upload(size=(30, 30))})
    profile.refresh_from_db()
    assert profile.logo.name != first and not profile.logo.storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**FORM, "slug": profile.slug, "remove_logo": "on"})
    profile.refresh_from_db()
    assert profile.logo.name == "" and profile.logo_url == ""


def test_the_preview_of_an_unpublished_profile_is_for_the_accounts_members_only(world):
    profile = make_profile(world.r1, "r1-agentur", is_public=False)
    url = profile.get_absolute_url()
    for user in (world.r1.owner, world.r1.employee):
        page = login(Client(), user).get(url).content.decode()
        assert "Preview: this profile is not public" in page
    assert Client().get(url).status_code == 404
    assert login(Client(), world.r2.owner).get(url).status_code == 404
    assert Client().post(url, {"name": "x"}).status_code == 404


def test_the_address_is_kept_in_lower_case(world):
    login(Client(), world.r1.owner).post(URL, {**FORM, "slug": "Webwerk-Nord"})
    profile = PartnerProfile.objects.get(account=world.r1.account)
    assert profile.slug == "webwerk-nord"
    assert Client().get("/partner/webwerk-nord/").status_code == 200
