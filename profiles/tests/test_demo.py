"""The demo: Webagentur Beispiel has a public profile and two open inquiries; loading again adds nothing."""

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import Account
from audit.models import AuditEntry
from profiles.models import Inquiry, PartnerProfile
from users.models import User

pytestmark = pytest.mark.django_db


def test_the_reseller_has_a_public_profile_and_two_open_inquiries():
    call_command("load_demo", quiet=True)
    reseller = Account.objects.get(number="10001")
    profile = PartnerProfile.objects.get(account=reseller)
    assert (profile.display_name, profile.is_public, profile.slug) == (
        "Webagentur Beispiel",
        True,
        "webagentur-beispiel",
    )
    assert Inquiry.objects.filter(account=reseller, status=Inquiry.Status.OPEN).count() == 2
    assert AuditEntry.objects.filter(account=reseller, object_repr="Webagentur Beispiel").exists()
    assert "Webagentur Beispiel" in Client().get("/partner/").content.decode()
    client = Client()
    client.force_login(User.objects.get(username="reseller"))
    assert "Sabine Krüger" in client.get("/inquiries/").content.decode()
    counts = PartnerProfile.objects.count(), Inquiry.objects.count(), AuditEntry.objects.count()
    call_command("load_demo", quiet=True)
    assert (PartnerProfile.objects.count(), Inquiry.objects.count(), AuditEntry.objects.count()) == counts
