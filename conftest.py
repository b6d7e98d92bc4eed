"""The shared test world: operator staff, two resellers (owner, admin, employee each), a plain customer.

Every test that needs people and accounts takes ``world``; names follow
SECURITY-TESTS part B: R1 and R2 are resellers, C1 a provider customer.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from accounts.models import Account, Membership
from accounts.services import SESSION_ACCOUNT_KEY
from contracts.models import Contract, Domain, ShopProduct
from core.actor import Actor
from core.roles import Role
from customers.models import EndCustomer, PortalUser, Todo
from products.models import ResellerProduct
from users.models import User

PASSWORD = "correct-horse-battery"


@dataclass
class Tenant:
    account: Account
    owner: User
    admin: User
    employee: User
    customer: EndCustomer | None = None  # with a portal user and a to-do: cannot be deleted
    plain_customer: EndCustomer | None = None  # nothing attached: can be deleted
    portal_user: PortalUser | None = None
    todo: Todo | None = None
    contract: Contract | None = None  # active, not assigned
    domain: Domain | None = None  # an umlaut domain, not assigned
    product: ResellerProduct | None = None  # branded, on the contract's shop product, unused

    def actor(self, role: Role = Role.OWNER) -> Actor:
        user = {Role.OWNER: self.owner, Role.ADMIN: self.admin, Role.EMPLOYEE: self.employee}[role]
        return Actor(user=user, account=self.account, role=role, ip="127.0.0.1")

    def user(self, role: Role) -> User:
        return {Role.OWNER: self.owner, Role.ADMIN: self.admin, Role.EMPLOYEE: self.employee}[role]


@dataclass
class World:
    staff: User
    r1: Tenant
    r2: Tenant
    c1: Tenant
    loner: User  # logged in, member of no account


def make_user(username: str, **extra) -> User:
    extra.setdefault("email", f"{username}@example.test")
    user = User(username=username, first_name=username.title(), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_customer(account: Account, number: str, **extra) -> EndCustomer:
    values = {
        "last_name": "Kunde",
        "first_name": "Karla",
        "street": "Teststraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "phone": "+49301234567",
        "mobile": "+491701234567",
        "email": f"{number.lower()}@example.test",
        **extra,
    }
    return EndCustomer.objects.create(account=account, number=number, **values)


def shop_product() -> ShopProduct:
    product, _created = ShopProduct.objects.get_or_create(
        name="Webhosting Test", defaults={"area": "managed Webhosting", "shop_url": "https://shop.provider.test/wh"}
    )
    return product


def make_contract(account: Account, number: str, **extra) -> Contract:
    values = {"shop_product": shop_product(), **extra}
    return Contract.objects.create(account=account, number=number, **values)


def make_domain(account: Account, number: str, name: str, **extra) -> Domain:
    domain = Domain(account=account, number=number, name=name, registrar="INWX", **extra)
    domain.full_clean(exclude=["account"])
    domain.save()
    return domain


def make_product(account: Account, name: str, **extra) -> ResellerProduct:
    values = {"shop_product": shop_product(), "net_price": "9.90", **extra}
    return ResellerProduct.objects.create(account=account, name=name, **values)


def make_tenant(number: str, name: str, prefix: str, *, partner: bool = True) -> Tenant:
    account = Account.objects.create(number=number, name=name, is_partner=partner)
    users = {}
    for role in Role:
        user = make_user(f"{prefix}-{role.value}")
        Membership.objects.create(account=account, user=user, role=role)
        users[role] = user
    tenant = Tenant(account=account, owner=users[Role.OWNER], admin=users[Role.ADMIN], employee=users[Role.EMPLOYEE])
    if partner:
        marker = "ZZ-R1-MARKER" if prefix == "r1" else prefix.upper()
        tenant.customer = make_customer(account, f"{prefix.upper()}-1", company=f"{marker} Kundenfirma")
        tenant.plain_customer = make_customer(account, f"{prefix.upper()}-2", last_name=f"{marker} Zweit")
        tenant.portal_user = PortalUser.objects.create(user=make_user(f"{prefix}-portal"), end_customer=tenant.customer)
        tenant.todo = Todo.objects.create(
            end_customer=tenant.customer, title=f"{marker} Aufgabe", assignee=tenant.owner
        )
    # Provider data belongs to any account; nothing is assigned, so the customers above keep their ties.
    label = "ZZ-R1-MARKER" if prefix == "r1" else prefix.upper()
    tenant.contract = make_contract(account, f"o{number}", note=f"{label} Vertrag")
    tenant.domain = make_domain(account, f"d{number}", f"{prefix}-domäne.de", note=f"{label} Domain")
    if partner:
        tenant.product = make_product(account, f"{label} Produkt")
    return tenant


@pytest.fixture
def world(db) -> World:
    return World(
        staff=make_user("staff", is_staff=True, is_superuser=True),
        r1=make_tenant("20001", "ZZ-R1-MARKER Agentur", "r1"),
        r2=make_tenant("20002", "Zweite Agentur", "r2"),
        c1=make_tenant("20003", "Kundenfirma", "c1", partner=False),
        loner=make_user("loner"),
    )


def login(client: Client, user: User, account: Account | None = None) -> Client:
    """Log ``user`` in on ``client``, working in ``account`` (default: their first)."""
    client.force_login(user, backend="users.backends.UsernameOrEmailBackend")
    if account is not None:
        session = client.session
        session[SESSION_ACCOUNT_KEY] = account.pk
        session.save()
    return client


def api_client(tenant: Tenant, role: Role = Role.OWNER) -> Client:
    """A client that calls the API with a new token of ``tenant``'s member of ``role``."""
    from users.services import create_api_token

    _token, key = create_api_token(tenant.actor(role), name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def client_for(client):
    """``client_for(user)`` returns a logged-in test client."""

    def make(user, account=None):
        return login(Client(), user, account)

    return make


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; mail sent during the test lands in ``smtp_server.messages``."""
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def reseller_smtp_server():
    """A second real SMTP server on loopback that wants a login (``mailer`` / ``secret``): a reseller's own.

    ``.port`` is its port, ``.messages`` what it accepted, ``.logins`` the usernames that logged in.
    """
    from aiosmtpd.smtp import AuthResult

    handler = _Collector()
    handler.logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"mailer", b"secret")
        if ok:
            handler.logins.append(auth_data.login.decode())
        # handled=False: aiosmtpd itself answers a refusal with 535, as a real server does.
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def language_of_the_settings():
    """Each test starts in the settings' language: a request of an earlier test in the same process leaves its
    language active, and code run outside a request would otherwise speak that one."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def main_urlconf():
    """Each test starts with the main portal's URLs: a response of a portal host (``request.urlconf``) that a
    test never closed (a streamed file) leaves that host's urlconf in the thread, and ``reverse`` would use it."""
    from django.urls import set_urlconf

    set_urlconf(None)
    yield
    set_urlconf(None)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits live in the cache; every test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
