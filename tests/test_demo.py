import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import Account, Membership
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
