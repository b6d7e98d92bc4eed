import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils.html import escape

from accounts.models import Account, Membership
from audit.models import AuditEntry
from users.models import User

pytestmark = pytest.mark.django_db

TABLES = (Account, Membership, User)


def counts():
    return {model.__name__: model.objects.count() for model in TABLES}


def test_the_demo_loads_the_documented_logins(capsys, rf):
    call_command("load_demo")
    printed = capsys.readouterr().out
    for username in ("support", "reseller", "admin2", "mitarbeiter", "kunde", "reseller2"):
        assert username in printed
        assert authenticate(rf.post("/login/"), username=username, password="demo") is not None
    reseller = Account.objects.get(number="10001")
    assert reseller.name == "Webagentur Beispiel" and reseller.is_partner
    assert not Account.objects.get(number="10002").is_partner
    assert User.objects.get(username="support").is_staff


def test_loading_twice_changes_nothing():
    call_command("load_demo", quiet=True)
    first = counts()
    passwords = dict(User.objects.values_list("username", "password"))
    call_command("load_demo", quiet=True)
    assert counts() == first
    assert dict(User.objects.values_list("username", "password")) == passwords


def test_the_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never"):
        call_command("load_demo", quiet=True)
    assert counts() == {"Account": 0, "Membership": 0, "User": 0}


def test_the_demo_starts_with_activity_the_reseller_sees_on_the_dashboard(client):
    """The demo's customers, to-dos and assignments are made through the services, so they are in the activity."""
    call_command("load_demo", quiet=True)
    client.force_login(User.objects.get(username="reseller"))
    body = client.get("/").content.decode()
    activity = body[body.index('data-testid="recent-activity"') :]
    assert "No activity yet." not in activity
    entries = AuditEntry.objects.filter(account__number="10001", user__username="reseller")
    # The box shows the newest entries of the account (the partner network's demo data comes last).
    newest = AuditEntry.objects.filter(account__number="10001").order_by("-created_at", "-pk").first()
    assert escape(newest.object_repr[:40]) in activity
    assert entries.filter(action=AuditEntry.Action.CREATE, object_repr__startswith="K-1001").exists()
    assert entries.filter(action=AuditEntry.Action.UPDATE, object_repr__startswith="o2374").exists()
    # Loading again adds nothing.
    before = AuditEntry.objects.count()
    call_command("load_demo", quiet=True)
    assert AuditEntry.objects.count() == before
