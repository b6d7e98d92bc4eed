"""Demo accounts and logins. Every user's password is ``demo``; set only here."""

from django.contrib.auth import get_user_model

from accounts.models import Account, Membership
from core.actor import Actor
from core.demo_loading import DEMO_PASSWORD
from core.roles import Role

ACCOUNTS = [
    {"number": "10001", "name": "Webagentur Beispiel", "is_partner": True},
    {"number": "10002", "name": "Bäckerei Krume", "is_partner": False},
    {"number": "10003", "name": "Medienhaus Muster", "is_partner": True},
]

USERS = [
    # username, first, last, e-mail, staff, account, role, what they are
    ("support", "Sam", "Support", "support@provider.test", True, None, None, "operator staff"),
    (
        "reseller",
        "Rita",
        "Reseller",
        "rita@webagentur-beispiel.test",
        False,
        "10001",
        Role.OWNER,
        "owner, Webagentur Beispiel (10001, reseller)",
    ),
    (
        "admin2",
        "Anton",
        "Admin",
        "anton@webagentur-beispiel.test",
        False,
        "10001",
        Role.ADMIN,
        "administrator, Webagentur Beispiel",
    ),
    (
        "mitarbeiter",
        "Mia",
        "Mitarbeiter",
        "mia@webagentur-beispiel.test",
        False,
        "10001",
        Role.EMPLOYEE,
        "employee, Webagentur Beispiel",
    ),
    (
        "kunde",
        "Karl",
        "Kunde",
        "karl@baeckerei-krume.test",
        False,
        "10002",
        Role.OWNER,
        "owner, Bäckerei Krume (10002, not a reseller)",
    ),
    (
        "reseller2",
        "Rolf",
        "Zweiter",
        "rolf@medienhaus-muster.test",
        False,
        "10003",
        Role.OWNER,
        "owner, Medienhaus Muster (10003, second reseller)",
    ),
]


def load() -> list[tuple[str, str]]:
    accounts = {}
    for data in ACCOUNTS:
        account, _ = Account.objects.update_or_create(number=data["number"], defaults=data)
        accounts[account.number] = account
    logins = []
    User = get_user_model()
    for username, first, last, email, staff, number, role, description in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": email, "is_staff": staff, "is_superuser": staff},
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if number:
            Membership.objects.get_or_create(account=accounts[number], user=user, defaults={"role": role})
        logins.append((username, description))
    return logins


def owner_actor(account: Account) -> Actor:
    """The account's first owner, acting in it: the other apps' demo data goes through their services with it, so
    the demo starts with activity to show."""
    membership = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user").first()
    return Actor(user=membership.user, account=account, role=Role.OWNER)
