"""Every URL, every role: the authorisation matrix (SECURITY-TESTS ISO-01, ISO-02).

``MATRIX`` lists each named URL of the project with the URL arguments (objects
of reseller R1) and the expected status per role for GET and POST. A URL that
is not listed fails ``test_every_url_is_in_the_matrix``, so the matrix cannot
fall behind new views. Roles:

- ``anonymous``: not logged in
- ``loner``: logged in, member of no account
- ``employee``, ``admin``, ``owner``: members of R1
- ``outsider``: the owner of R2, who must learn nothing about R1
- ``staff``: operator staff, working in no account until they switch

``LOGIN`` means a redirect to the login page.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership
from audit.models import AuditEntry
from conftest import api_client, login, make_user
from core.roles import Role
from customers.models import CustomerImport
from users.services import create_api_token

LOGIN = "login"
ROLES = ("anonymous", "loner", "employee", "admin", "owner", "outsider", "staff")
MEMBERS = ("employee", "admin", "owner")
MARKER = "ZZ-R1-MARKER"


def expect(default, **per_role):
    """Expected status for every role: ``default`` unless named."""
    return {role: per_role.get(role, default) for role in ROLES}


def employee_membership(world):
    return {"pk": Membership.objects.get(user=world.r1.employee).pk}


def owner_token(world):
    token, _key = create_api_token(world.r1.actor(Role.OWNER), name="matrix")
    return {"pk": token.pk}


def reset_link(world):
    user = world.r1.owner
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


# name: (kwargs factory, GET expectations, write expectations or None[, write method, JSON body])
MATRIX = {
    "dashboard": (None, expect(200, anonymous=LOGIN), expect(405, anonymous=LOGIN)),
    "users:login": (None, expect(302, anonymous=200), expect(302, anonymous=200)),
    "users:login_otp": (None, expect(LOGIN), expect(LOGIN)),
    "users:logout": (None, expect(405, anonymous=LOGIN), expect(LOGIN)),
    "users:password_reset": (None, expect(200), expect(200)),
    "users:password_reset_done": (None, expect(200), expect(405)),
    "users:password_reset_confirm": (reset_link, expect(302), expect(302)),
    "users:profile": (None, expect(200, anonymous=LOGIN), expect(200, anonymous=LOGIN)),
    "users:password_change": (None, expect(200, anonymous=LOGIN), expect(200, anonymous=LOGIN)),
    "users:two_factor_setup": (None, expect(200, anonymous=LOGIN), expect(200, anonymous=LOGIN)),
    "users:two_factor_disable": (None, expect(200, anonymous=LOGIN), expect(200, anonymous=LOGIN)),
    "users:token_create": (None, expect(405, anonymous=LOGIN), expect(302, anonymous=LOGIN)),
    "users:token_revoke": (owner_token, expect(405, anonymous=LOGIN), expect(404, anonymous=LOGIN, owner=302)),
    "accounts:switch": (None, expect(405, anonymous=LOGIN), expect(302, anonymous=LOGIN, loner=404, outsider=404)),
    "accounts:membership_list": (None, expect(200, anonymous=LOGIN, loner=404, staff=404), None),
    "accounts:membership_edit": (
        employee_membership,
        expect(404, anonymous=LOGIN, employee=403, admin=200, owner=200),
        expect(404, anonymous=LOGIN, employee=403, admin=200, owner=200),
    ),
    "accounts:membership_delete": (
        employee_membership,
        expect(404, anonymous=LOGIN, employee=403, admin=200, owner=200),
        expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
    ),
    "accounts:invitation_add": (
        None,
        expect(200, anonymous=LOGIN, loner=404, staff=404, employee=403),
        expect(200, anonymous=LOGIN, loner=404, staff=404, employee=403),
    ),
    "accounts:invitation_accept": (lambda world: {"token": "no-such-token"}, expect(404), expect(404)),
    "accounts:settings": (
        None,
        expect(200, anonymous=LOGIN, loner=404, staff=404, employee=403, admin=403),
        expect(302, anonymous=LOGIN, loner=404, staff=404, employee=403, admin=403),
    ),
    "audit:auditentry_list": (None, expect(200, anonymous=LOGIN, loner=404, staff=404), None),
    "set_language": (None, expect(302), expect(302)),
    # Without ?domain= of a portal host: 404 for everyone (portal/tests: 200 for one).
    # The reverse proxy's question needs no login; without ?domain= it is a 400 (portal/tests/test_tls.py).
    "portal_tls_ask": (None, expect(400), expect(405)),
    # The load balancer's probe needs no login and answers the same to everyone (core/tests/test_health.py).
    "healthz": (None, expect(200), expect(405)),
    # Only for Prometheus's bearer token; without METRICS_TOKEN set it does not exist (core/tests/test_metrics.py).
    "metrics": (None, expect(404), expect(404)),
    "api:api-root": (None, expect(404), None),
    "api:openapi-json": (None, expect(200), None),
    "api:openapi-view": (None, expect(200), None),
    "api:me": (None, expect(200, anonymous=401), expect(405)),
    "api:list_members": (None, expect(200, anonymous=401, loner=404, staff=404), None),
    "api:get_member": (
        lambda world: {"member_id": Membership.objects.get(user=world.r1.employee).pk},
        expect(404, anonymous=401, employee=200, admin=200, owner=200),
        None,
    ),
    "api:change_member_role": (
        lambda world: {"member_id": Membership.objects.get(user=world.r1.employee).pk},
        expect(404, anonymous=401, employee=200, admin=200, owner=200),
        expect(404, anonymous=401, employee=403, admin=200, owner=200),
        "patch",
        {"role": "employee"},
    ),
    "api:remove_member": (
        lambda world: {"member_id": Membership.objects.get(user=world.r1.employee).pk},
        expect(404, anonymous=401, employee=200, admin=200, owner=200),
        expect(404, anonymous=401, employee=403, admin=204, owner=204),
        "delete",
    ),
    "api:export_members": (None, expect(200, anonymous=401, loner=404, staff=404), None),
    "api:list_activity": (None, expect(200, anonymous=401, loner=404, staff=404), None),
    "api:export_activity": (None, expect(200, anonymous=401, loner=404, staff=404), None),
    "api:invite_member": (
        None,
        expect(405),
        expect(403, anonymous=401, loner=404, staff=404, outsider=201, admin=201, owner=201),
        "post",
        {"email": "new.person@example.test", "role": "employee"},
    ),
}


def customer(world):
    return {"pk": world.r1.customer.pk}


def plain_customer(world):
    return {"pk": world.r1.plain_customer.pk}


def portal_user(world):
    return {"pk": world.r1.portal_user.pk}


def todo(world):
    return {"pk": world.r1.todo.pk}


def customer_import(world):
    job = CustomerImport.objects.create(
        account=world.r1.account, created_by=world.r1.owner, file_name="k.csv", header=["Kundennummer"], rows=[["1"]]
    )
    return {"pk": job.pk}


def api_customer(world):
    return {"customer_id": world.r1.customer.pk}


MEMBERS_ONLY = expect(404, anonymous=LOGIN, employee=200, admin=200, owner=200)
API_OWN = expect(404, anonymous=401, employee=200, admin=200, owner=200)
OWN_ACCOUNT = expect(200, anonymous=LOGIN, loner=404, staff=404)
ADMINS_ONLY = expect(404, anonymous=LOGIN, employee=403, admin=200, owner=200)
POST_ONLY = expect(405, anonymous=LOGIN)
CUSTOMER_BODY = {
    "number": "API-1",
    "last_name": "Neu",
    "first_name": "Nina",
    "street": "Weg 1",
    "postal_code": "10115",
    "city": "Berlin",
    "phone": "030 1234567",
    "mobile": "0170 1234567",
    "email": "nina@example.test",
}

MATRIX.update(
    {
        "customers:endcustomer_list": (None, OWN_ACCOUNT, None),
        "customers:endcustomer_add": (None, OWN_ACCOUNT, OWN_ACCOUNT),
        "customers:endcustomer_detail": (customer, MEMBERS_ONLY, None),
        "customers:endcustomer_products": (customer, MEMBERS_ONLY, None),
        "customers:endcustomer_users": (customer, MEMBERS_ONLY, None),
        "customers:endcustomer_todos": (customer, MEMBERS_ONLY, None),
        "customers:endcustomer_activity": (customer, MEMBERS_ONLY, None),
        "customers:endcustomer_privacy": (customer, MEMBERS_ONLY, expect(405, anonymous=LOGIN)),
        "customers:endcustomer_privacy_export": (customer, MEMBERS_ONLY, None),
        "customers:endcustomer_edit": (customer, MEMBERS_ONLY, MEMBERS_ONLY),
        "customers:endcustomer_delete": (
            plain_customer,
            ADMINS_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
        "customers:endcustomer_erase": (
            plain_customer,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
        "customers:endcustomer_bulk": (None, POST_ONLY, expect(302, anonymous=LOGIN, loner=404, staff=404)),
        "customers:import_start": (None, OWN_ACCOUNT, OWN_ACCOUNT),
        "customers:import_detail": (customer_import, MEMBERS_ONLY, MEMBERS_ONLY),
        "customers:import_progress": (customer_import, MEMBERS_ONLY, None),
        "customers:import_skipped": (customer_import, MEMBERS_ONLY, expect(405, anonymous=LOGIN)),
        "customers:import_run": (
            customer_import,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=302, admin=302, owner=302),
        ),
        "customers:portaluser_add": (customer, MEMBERS_ONLY, MEMBERS_ONLY),
        "customers:portaluser_active": (
            portal_user,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=302, admin=302, owner=302),
        ),
        "customers:portaluser_password": (
            portal_user,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=302, admin=302, owner=302),
        ),
        "customers:portaluser_delete": (
            portal_user,
            ADMINS_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
        "customers:todo_add": (lambda world: {"customer_pk": world.r1.customer.pk}, MEMBERS_ONLY, MEMBERS_ONLY),
        "customers:todo_edit": (todo, MEMBERS_ONLY, MEMBERS_ONLY),
        "customers:todo_delete": (todo, MEMBERS_ONLY, expect(404, anonymous=LOGIN, employee=302, admin=302, owner=302)),
        "customers:todo_list": (None, OWN_ACCOUNT, None),
        "api:list_customers": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:create_customer": (
            None,
            expect(200, anonymous=401, loner=404, staff=404),
            expect(201, anonymous=401, loner=404, staff=404),
            "post",
            CUSTOMER_BODY,
        ),
        "api:get_customer": (api_customer, expect(404, anonymous=401, employee=200, admin=200, owner=200), None),
        "api:update_customer": (
            api_customer,
            expect(404, anonymous=401, employee=200, admin=200, owner=200),
            expect(404, anonymous=401, employee=200, admin=200, owner=200),
            "patch",
            {"city": "Bonn"},
        ),
        "api:delete_customer": (
            lambda world: {"customer_id": world.r1.plain_customer.pk},
            expect(404, anonymous=401, employee=200, admin=200, owner=200),
            expect(404, anonymous=401, employee=403, admin=204, owner=204, outsider=404),
            "delete",
        ),
        "api:list_portal_users": (api_customer, expect(404, anonymous=401, employee=200, admin=200, owner=200), None),
        "api:create_portal_user": (
            api_customer,
            expect(404, anonymous=401, employee=200, admin=200, owner=200),
            expect(404, anonymous=401, employee=201, admin=201, owner=201),
            "post",
            {"username": "api-portal", "first_name": "A", "last_name": "B", "email": "api-portal@example.test"},
        ),
        "api:list_todos": (api_customer, expect(404, anonymous=401, employee=200, admin=200, owner=200), None),
        "api:create_todo": (
            api_customer,
            expect(404, anonymous=401, employee=200, admin=200, owner=200),
            expect(404, anonymous=401, employee=201, admin=201, owner=201),
            "post",
            {"title": "Per API"},
        ),
        "api:get_todo": (
            lambda world: {"customer_id": world.r1.customer.pk, "todo_id": world.r1.todo.pk},
            expect(404, anonymous=401, employee=200, admin=200, owner=200),
            None,
        ),
        "api:export_customers": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:customer_personal_data": (api_customer, API_OWN, None),
        "api:erase_customer": (
            lambda world: {"customer_id": world.r1.plain_customer.pk},
            expect(405),
            expect(404, anonymous=401, employee=403, admin=200, owner=200),
        ),
        "api:change_portal_user": (
            lambda world: {"user_id": world.r1.portal_user.pk},
            expect(405),
            API_OWN,
            "patch",
            {"active": False},
        ),
        "api:delete_portal_user": (
            lambda world: {"user_id": world.r1.portal_user.pk},
            expect(405),
            expect(404, anonymous=401, employee=403, admin=204, owner=204),
            "delete",
        ),
        "api:send_portal_user_password_link": (
            lambda world: {"user_id": world.r1.portal_user.pk},
            expect(405),
            expect(404, anonymous=401, employee=202, admin=202, owner=202),
        ),
        "api:list_my_todos": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:update_todo": (
            lambda world: {"todo_id": world.r1.todo.pk},
            expect(405),
            API_OWN,
            "patch",
            {"status": "done"},
        ),
        "api:delete_todo": (
            lambda world: {"todo_id": world.r1.todo.pk},
            expect(405),
            expect(404, anonymous=401, employee=204, admin=204, owner=204),
            "delete",
        ),
        # Without a file the body is refused before anything else is looked at.
        "api:upload_import": (None, expect(405), expect(422, anonymous=401)),
        "api:get_import": (lambda world: {"import_id": customer_import(world)["pk"]}, API_OWN, None),
        "api:check_import": (
            lambda world: {"import_id": customer_import(world)["pk"]},
            expect(405),
            expect(404, anonymous=401, employee=422, admin=422, owner=422),
            "post",
            {"mapping": {}},
        ),
        "api:run_import": (
            lambda world: {"import_id": customer_import(world)["pk"]},
            expect(405),
            expect(404, anonymous=401, employee=422, admin=422, owner=422),
            "post",
            {"only_valid": True},
        ),
    }
)


def service_access(world):
    """R2 holds an access to C1, shared by C1's admin. The outsider here is R1's owner."""
    from access.models import ActivationCode, ServiceAccess

    code = ActivationCode.objects.create(
        user=world.c1.admin, account=world.c1.account, code_hash="0" * 64, expires_at="2099-01-01T00:00:00Z"
    )
    access = ServiceAccess.objects.create(
        account=world.r1.account, shared_account=world.c1.account, sharer=world.c1.admin, code=code
    )
    return {"pk": access.pk}


def end_customer_access(world):
    """R1 holds an access to its own end customer's portal view, shared by the customer's portal user."""
    from access.models import ActivationCode, ServiceAccess

    portal_user = world.r1.portal_user
    code = ActivationCode.objects.create(
        user=portal_user.user,
        account=world.r1.account,
        end_customer=portal_user.end_customer,
        code_hash="1" * 64,
        expires_at="2099-01-01T00:00:00Z",
    )
    access = ServiceAccess.objects.create(
        account=world.r1.account, end_customer=portal_user.end_customer, sharer=portal_user.user, code=code
    )
    return {"pk": access.pk}


ADMIN_LIST = expect(200, anonymous=LOGIN, loner=404, staff=404, employee=403)

MATRIX.update(
    {
        "access:serviceaccess_list": (None, ADMIN_LIST, None),
        "access:activate": (None, ADMIN_LIST, ADMIN_LIST),
        "access:switch_in": (
            service_access,
            POST_ONLY,
            expect(404, anonymous=LOGIN, admin=302, owner=302, employee=403),
        ),
        "access:switch_out": (None, POST_ONLY, expect(302, anonymous=LOGIN)),
        # Anmelden on an end customer's entry: a link to the portal host (R1 has no portal template here:
        # back to the list with the message).
        "portal:service_access_open": (
            end_customer_access,
            expect(404, anonymous=LOGIN, admin=302, owner=302, employee=403),
            expect(405, anonymous=LOGIN),
        ),
        "access:code": (None, OWN_ACCOUNT, OWN_ACCOUNT),
        "access:revoke": (
            lambda world: {"pk": service_access(world)["pk"]},
            POST_ONLY,
            expect(404, anonymous=LOGIN),
        ),
        "api:list_service_accesses": (None, expect(200, anonymous=401, employee=403, loner=404, staff=404), None),
        "api:activate_service_access": (
            None,
            expect(200, anonymous=401, employee=403, loner=404, staff=404),
            expect(422, anonymous=401, employee=403, loner=404, staff=404),
            "post",
            {"code": "0000-0000-0000-0"},
        ),
        "api:my_service_access": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:export_service_accesses": (None, expect(200, anonymous=401, employee=403, loner=404, staff=404), None),
        "api:revoke_my_service_access": (
            lambda world: {"access_id": service_access(world)["pk"]},
            expect(405),
            expect(404, anonymous=401),
            "delete",
        ),
    }
)


def r1_contract(world):
    return {"pk": world.r1.contract.pk}


def r1_domain(world):
    return {"pk": world.r1.domain.pk}


def r1_product(world):
    return {"pk": world.r1.product.pk}


# Produktverwaltung is for every member of any account; assigning (POST without a customer: "no
# customer") is for every member too. MKM products need a partner account; deleting them, an admin.
MEMBERS_REDIRECT = expect(404, anonymous=LOGIN, employee=302, admin=302, owner=302)
API_MEMBERS = expect(404, anonymous=401, employee=200, admin=200, owner=200)

MATRIX.update(
    {
        "contracts:contract_list": (None, OWN_ACCOUNT, None),
        "contracts:contract_detail": (r1_contract, MEMBERS_ONLY, None),
        "contracts:contract_assign": (r1_contract, MEMBERS_ONLY, MEMBERS_REDIRECT),
        "contracts:contract_bulk": (None, POST_ONLY, expect(302, anonymous=LOGIN, loner=404, staff=404)),
        "contracts:domain_list": (None, OWN_ACCOUNT, None),
        "contracts:domain_detail": (r1_domain, MEMBERS_ONLY, None),
        "contracts:domain_assign": (r1_domain, MEMBERS_ONLY, MEMBERS_REDIRECT),
        "contracts:domain_bulk": (None, POST_ONLY, expect(302, anonymous=LOGIN, loner=404, staff=404)),
        "contracts:endcustomer_autocomplete": (None, OWN_ACCOUNT, None),
        "contracts:endcustomer_domains": (customer, MEMBERS_ONLY, None),
        "products:resellerproduct_list": (None, OWN_ACCOUNT, None),
        "products:resellerproduct_add": (None, OWN_ACCOUNT, OWN_ACCOUNT),
        "products:resellerproduct_detail": (r1_product, MEMBERS_ONLY, None),
        "products:resellerproduct_edit": (r1_product, MEMBERS_ONLY, MEMBERS_ONLY),
        "products:resellerproduct_delete": (
            r1_product,
            ADMINS_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
        "api:list_contracts": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:get_contract": (lambda world: {"contract_id": world.r1.contract.pk}, API_MEMBERS, None),
        "api:assign_contract": (
            lambda world: {"contract_id": world.r1.contract.pk},
            expect(405),
            API_MEMBERS,
            "post",
            {"end_customer": None},
        ),
        "api:unassign_contract": (lambda world: {"contract_id": world.r1.contract.pk}, expect(405), API_MEMBERS),
        "api:list_domains": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:get_domain": (lambda world: {"domain_id": world.r1.domain.pk}, API_MEMBERS, None),
        "api:assign_domain": (
            lambda world: {"domain_id": world.r1.domain.pk},
            expect(405),
            API_MEMBERS,
            "post",
            {"end_customer": None},
        ),
        "api:unassign_domain": (lambda world: {"domain_id": world.r1.domain.pk}, expect(405), API_MEMBERS),
        "api:export_contracts": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:export_domains": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:export_products": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:list_products": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:create_product": (
            None,
            expect(200, anonymous=401, loner=404, staff=404),
            expect(422, anonymous=401, loner=404, staff=404),
            "post",
            {"shop_product": 0, "name": "Matrix", "net_price": "1.00"},
        ),
        "api:get_product": (lambda world: {"product_id": world.r1.product.pk}, API_MEMBERS, None),
        "api:update_product": (
            lambda world: {"product_id": world.r1.product.pk},
            API_MEMBERS,
            API_MEMBERS,
            "patch",
            {"name": "Matrix"},
        ),
        "api:delete_product": (
            lambda world: {"product_id": world.r1.product.pk},
            API_MEMBERS,
            expect(404, anonymous=401, employee=403, admin=204, owner=204),
            "delete",
        ),
    }
)


def server(world):
    from hosting.models import HostingServer

    found = HostingServer.objects.create(name="M", host="m.example.test", login="admin", password="pw-123456")
    return {"server_id": found.pk}


# Hosting servers are for operator staff who passed two-factor login (hosting/tests/test_servers_api.py);
# the matrix's staff session has not, so it learns as little as anyone else.
OPERATOR_ONLY = expect(404, anonymous=401)
SERVER_BODY = {"name": "M", "host": "m.example.test", "login": "admin", "password": "pw-123456"}
MATRIX.update(
    {
        "api:list_servers": (None, OPERATOR_ONLY, OPERATOR_ONLY, "post", SERVER_BODY),
        "api:create_server": (None, OPERATOR_ONLY, OPERATOR_ONLY, "post", SERVER_BODY),
        "api:get_server": (server, OPERATOR_ONLY, OPERATOR_ONLY, "patch", {"port": 1}),
        "api:update_server": (server, OPERATOR_ONLY, OPERATOR_ONLY, "patch", {"port": 1}),
        "api:delete_server": (server, OPERATOR_ONLY, OPERATOR_ONLY, "delete"),
        "api:test_server": (server, expect(405), OPERATOR_ONLY),
    }
)

MATRIX["api:open_plesk"] = (
    lambda world: {"contract_id": world.r1.contract.pk},
    expect(405),
    # As the page: the fixture contract is not bound to a server.
    expect(404, anonymous=401, employee=403),
)

MATRIX["contracts:contract_plesk_sso"] = (
    lambda world: {"pk": world.r1.contract.pk},
    POST_ONLY,
    # The fixture contract is not bound to a server, so even its owners get 404.
    expect(404, anonymous=LOGIN, employee=403),
)


def bound_contract(world):
    """An R1 reseller contract bound to a server that refuses connections (the subscriptions say so)."""
    from contracts.models import Contract, ShopProduct
    from hosting.models import HostingServer

    server = HostingServer.objects.create(
        name="Matrix", host="127.0.0.1", port=1, use_tls=False, login="admin", password="x", is_sandbox=True
    )
    shop, _created = ShopProduct.objects.get_or_create(
        name="Reseller Matrix", defaults={"area": "Reseller Webhosting", "kind": ShopProduct.Kind.RESELLER_TARIFF}
    )
    return Contract.objects.create(
        account=world.r1.account,
        number="o-matrix",
        shop_product=shop,
        hosting_server=server,
        plesk_login="reseller-demo",
        plesk_password="x",
        note=f"{MARKER} reseller",
    )


def failed_hosting(world):
    from hosting.models import ResellerHosting
    from products.models import ResellerProduct

    contract = bound_contract(world)
    product = ResellerProduct.objects.create(
        account=world.r1.account,
        kind=ResellerProduct.Kind.RESELLER_HOSTING,
        contract=contract,
        plan_name="Webhosting S",
        name=f"{MARKER} Hosting S",
        net_price="4.90",
    )
    return ResellerHosting.objects.create(
        account=world.r1.account,
        end_customer=world.r1.plain_customer,
        product=product,
        contract=contract,
        status=ResellerHosting.Status.FAILED,
        failure={"code": "text", "params": {"text": f"{MARKER} reason"}},
    )


MATRIX.update(
    {
        "hosting:contract_hostings": (lambda world: {"pk": bound_contract(world).pk}, MEMBERS_ONLY, None),
        "hosting:contract_subscriptions": (lambda world: {"pk": bound_contract(world).pk}, MEMBERS_ONLY, None),
        "hosting:hosting_add": (lambda world: {"pk": bound_contract(world).pk}, MEMBERS_ONLY, MEMBERS_ONLY),
        # The matrix server refuses connections: members are sent back to the tab with the reason.
        "hosting:subscription_link": (
            lambda world: {"pk": bound_contract(world).pk, "subscription_id": 1},
            MEMBERS_REDIRECT,
            MEMBERS_REDIRECT,
        ),
        "hosting:resellerhosting_list": (None, OWN_ACCOUNT, None),
        "hosting:resellerhosting_detail": (lambda world: {"pk": failed_hosting(world).pk}, MEMBERS_ONLY, None),
        "hosting:resellerhosting_status": (lambda world: {"pk": failed_hosting(world).pk}, MEMBERS_ONLY, None),
        "hosting:resellerhosting_retry": (lambda world: {"pk": failed_hosting(world).pk}, POST_ONLY, MEMBERS_REDIRECT),
        "hosting:resellerhosting_correct": (lambda world: {"pk": failed_hosting(world).pk}, MEMBERS_ONLY, MEMBERS_ONLY),
        "hosting:resellerhosting_cancel": (lambda world: {"pk": failed_hosting(world).pk}, POST_ONLY, MEMBERS_REDIRECT),
        "api:list_hostings": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:export_hostings": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:create_hosting": (
            None,
            expect(200, anonymous=401, loner=404, staff=404),
            expect(422, anonymous=401, loner=404, staff=404),
            "post",
            {"end_customer": 0, "product": 0},
        ),
        "api:get_hosting": (lambda world: {"hosting_id": failed_hosting(world).pk}, API_MEMBERS, None),
        "api:retry_hosting": (
            lambda world: {"hosting_id": failed_hosting(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=202, admin=202, owner=202),
        ),
        "api:correct_hosting": (
            lambda world: {"hosting_id": failed_hosting(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=422, admin=422, owner=422),
            "post",
            {"product": 0},
        ),
        "api:cancel_hosting": (
            lambda world: {"hosting_id": failed_hosting(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=202, admin=202, owner=202),
        ),
        "api:list_subscriptions": (
            lambda world: {"contract_id": bound_contract(world).pk},
            expect(404, anonymous=401, employee=503, admin=503, owner=503),
            None,
        ),
        "api:get_package_usage": (lambda world: {"contract_id": bound_contract(world).pk}, API_MEMBERS, None),
        "api:link_subscription": (
            lambda world: {"contract_id": bound_contract(world).pk, "subscription_id": 1},
            expect(405),
            expect(404, anonymous=401, employee=422, admin=422, owner=422),
            "post",
            {"end_customer": 0, "product": 0},
        ),
    }
)


def r1_as_partner(world):
    """A partnership in which R1 is the partner of the customer account C1."""
    from partners.services import grant_partnership

    return {"pk": grant_partnership(world.c1.actor(), world.r1.account, full=True).pk}


def r1_as_customer(world):
    """A partnership in which R1 is the customer and R2 its partner."""
    from partners.services import grant_partnership

    return {"pk": grant_partnership(world.r1.actor(), world.r2.account, full=True).pk}


OWNER_WRITES = expect(404, anonymous=LOGIN, employee=403, admin=403, owner=302)

# Partnerships (issue #20): the customer's side is every member's to read and its owner's to change; the
# partner's side is its administrators'.
MATRIX.update(
    {
        "partners:customer_partner_list": (None, OWN_ACCOUNT, None),
        "partners:customer_partner_detail": (
            r1_as_customer,
            MEMBERS_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=403, owner=200),
        ),
        "partners:customer_partner_end": (r1_as_customer, POST_ONLY, OWNER_WRITES),
        "partners:managed_list": (None, ADMIN_LIST, None),
        "partners:managed_open": (
            r1_as_partner,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
        "partners:managed_end": (
            r1_as_partner,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
    }
)


def share_to_r1(world):
    """An open access share the customer C1 sent to R1 (R1 is the partner)."""
    from partners.shares import share_access

    return share_access(world.c1.actor(), world.r1.account, full=True)


def share_from_r1(world):
    """An open access share R1 (as a customer) sent to R2."""
    from partners.shares import share_access

    return {"pk": share_access(world.r1.actor(), world.r2.account, full=True).pk}


OWNER_PAGE = expect(200, anonymous=LOGIN, loner=404, staff=404, employee=403, admin=403)
API_OWNER = expect(200, anonymous=401, loner=404, staff=404, employee=403, admin=403)
API_SHARE_ADMINS = expect(404, anonymous=401, employee=403, admin=200, owner=200)

# Access shares (issue #20, way 2): the customer's owner shares and withdraws, every member sees its shares; the
# partner's administrators connect and decline.
MATRIX.update(
    {
        "partners:share_add": (None, OWNER_PAGE, expect(404, anonymous=LOGIN, employee=403, admin=403)),
        "partners:share_withdraw": (share_from_r1, POST_ONLY, OWNER_WRITES),
        "partners:share_list": (None, ADMIN_LIST, None),
        "partners:share_connect": (lambda world: {"pk": share_to_r1(world).pk}, ADMINS_ONLY, ADMINS_ONLY),
        "partners:share_decline": (
            lambda world: {"pk": share_to_r1(world).pk},
            ADMINS_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
        "api:find_partners": (None, API_OWNER, None),
        "api:list_sent_shares": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:create_share": (
            None,
            expect(200, anonymous=401, loner=404, staff=404),
            expect(422, anonymous=401, loner=404, staff=404, employee=403, admin=403),
            "post",
            {"partner": 0, "full": True},
        ),
        "api:withdraw_share": (
            lambda world: {"share_id": share_from_r1(world)["pk"]},
            expect(405),
            expect(404, anonymous=401, employee=403, admin=403, owner=200),
        ),
        "api:list_received_shares": (None, expect(200, anonymous=401, loner=404, staff=404, employee=403), None),
        "api:connect_share": (
            lambda world: {"share_id": share_to_r1(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=403, admin=422, owner=422),
            "post",
            {},
        ),
        "api:decline_share": (
            lambda world: {"share_id": share_to_r1(world).pk},
            expect(405),
            API_SHARE_ADMINS,
            "post",
            {},
        ),
    }
)


def r1_invitation(world):
    """An open invitation of R1 (the partner) to a customer."""
    from partners.invitations import invite_customer

    return invite_customer(world.r1.actor(), email="invited@example.test", requested_full=True)


def r2_invitation_token(world):
    """The link of an open invitation of R2: R1's owner is a customer who may answer it."""
    from partners.models import PartnerInvitation

    invitation = PartnerInvitation(account=world.r2.account, email="r1-owner@example.test", created_by=world.r2.owner)
    token = invitation.issue_token()
    invitation.save()
    return {"token": token}


OWNER_ONLY = expect(404, anonymous=LOGIN, employee=403, admin=403, owner=200, outsider=200, loner=404, staff=404)
NO_SUCH_INVITATION = expect(404, anonymous=401)

# The partner invites (issue #20, way 1): only the partner's owner invites and withdraws; the link needs no
# login; the customer's owner answers (R1's members answer R2's invitation: only the owner may).
MATRIX.update(
    {
        "partners:invitation_add": (None, OWNER_ONLY, OWNER_ONLY),
        "partners:invitation_withdraw": (
            lambda world: {"pk": r1_invitation(world).pk},
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=403, owner=302),
        ),
        "partners:managed_rights_confirm": (
            r1_as_partner,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
        "partners:invitation_answer": (
            r2_invitation_token,
            expect(200, employee=403, admin=403, outsider=403),
            expect(200, employee=403, admin=403, outsider=403),
        ),
        "api:list_partner_invitations": (
            None,
            expect(200, anonymous=401, loner=404, staff=404, employee=403),
            None,
        ),
        "api:create_partner_invitation": (
            None,
            expect(200, anonymous=401, loner=404, staff=404, employee=403),
            expect(403, anonymous=401, loner=404, staff=404, owner=201, outsider=201),
            "post",
            {"email": "new.customer@example.test", "access": "partial", "message": "Bitte Zugriff auf Verträge"},
        ),
        "api:withdraw_partner_invitation": (
            lambda world: {"invitation_id": r1_invitation(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=403, admin=403, owner=200),
            "post",
        ),
        "api:accept_partner_invitation": (
            None,
            expect(405),
            NO_SUCH_INVITATION,
            "post",
            {"token": "no-such-token", "access": "full"},
        ),
        "api:decline_partner_invitation": (
            None,
            expect(405),
            NO_SUCH_INVITATION,
            "post",
            {"token": "no-such-token"},
        ),
    }
)


def r2_public_profile(world):
    from profiles.models import PartnerProfile

    profile = PartnerProfile.objects.create(
        account=world.r2.account, display_name="R2 Profil", slug="r2-profil", is_public=True
    )
    return {"pk": profile.pk}


# "Zugriff freigeben" on a public profile only forwards to the share form, which checks the owner.
MATRIX.update(
    {
        "partners:share_from_profile": (r2_public_profile, expect(302, anonymous=LOGIN), POST_ONLY),
        # Zugriffsanfrage senden from an end customer's page: the partner's owner only.
        "partners:invitation_for_customer": (
            customer,
            expect(404, anonymous=LOGIN, employee=403, admin=403, owner=200),
            expect(404, anonymous=LOGIN, employee=403, admin=403, owner=200),
        ),
    }
)


def r1_as_partner_assigned(world):
    """R1 is the partner of C1, linked to R1's end customer, and its employee is assigned to it (Meine Kunden)."""
    from partners import managed
    from partners.services import grant_partnership

    partnership = grant_partnership(world.c1.actor(), world.r1.account, full=True)
    managed.assign_employees(world.r1.actor(), partnership, [world.r1.employee])
    managed.link_end_customer(world.r1.actor(), partnership, world.r1.customer)
    return {"pk": partnership.pk}


def r1_linked_customer(world):
    r1_as_partner_assigned(world)
    return {"pk": world.r1.customer.pk}


PARTNER_WRITES = expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302)
PARTNER_API_WRITES = expect(404, anonymous=401, employee=403, admin=200, owner=200)

# Managed customers (issue #20): an employee sees and opens those assigned to it (Meine Kunden; the list is
# every member's, restricted); the owner assigns; administrators change the e-mail copy and the MKM link.
MATRIX.update(
    {
        "partners:managed_list": (None, OWN_ACCOUNT, None),
        "partners:managed_open": (
            r1_as_partner_assigned,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=302, admin=302, owner=302),
        ),
        "partners:managed_detail": (r1_as_partner_assigned, MEMBERS_ONLY, expect(405, anonymous=LOGIN)),
        "partners:managed_assign": (r1_as_partner_assigned, POST_ONLY, OWNER_WRITES),
        "partners:managed_email_copy": (r1_as_partner_assigned, POST_ONLY, PARTNER_WRITES),
        "partners:managed_link": (r1_as_partner_assigned, POST_ONLY, PARTNER_WRITES),
        "partners:endcustomer_open": (
            r1_linked_customer,
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=302, admin=302, owner=302),
        ),
        "partners:endcustomer_disconnect": (r1_linked_customer, POST_ONLY, PARTNER_WRITES),
    }
)


def api_managed(world):
    return {"partnership_id": r1_as_partner_assigned(world)["pk"]}


def api_partner(world):
    return {"partnership_id": r1_as_customer(world)["pk"]}


API_LIST = expect(200, anonymous=401, loner=404, staff=404)

MATRIX.update(
    {
        "api:list_managed_customers": (None, API_LIST, None),
        "api:get_managed_customer": (api_managed, API_MEMBERS, None),
        "api:change_managed_customer": (
            api_managed,
            API_MEMBERS,
            PARTNER_API_WRITES,
            "patch",
            {"email_copy": True},
        ),
        "api:assign_managed_customer": (
            api_managed,
            expect(405),
            expect(404, anonymous=401, employee=403, admin=403, owner=200),
            "put",
            {"employees": []},
        ),
        "api:end_managed_customer": (
            api_managed,
            API_MEMBERS,
            expect(404, anonymous=401, employee=403, admin=204, owner=204),
            "delete",
        ),
        "api:list_my_partners": (None, API_LIST, None),
        "api:get_my_partner": (api_partner, API_MEMBERS, None),
        "api:change_my_partner_scope": (
            api_partner,
            expect(405),
            expect(404, anonymous=401, employee=403, admin=403, owner=200),
            "put",
            {"full": True},
        ),
        "api:end_my_partner": (
            api_partner,
            API_MEMBERS,
            expect(404, anonymous=401, employee=403, admin=403, owner=204),
            "delete",
        ),
    }
)


def hosting_on_server(world, status="active"):
    """A hosting of R1 that is on the server (``status``), for the lifecycle's buttons."""
    from hosting.models import ResellerHosting

    hosting = failed_hosting(world)
    ResellerHosting.objects.filter(pk=hosting.pk).update(status=status, failure={}, subscription_id=1)
    return hosting


# The hosting lifecycle (issue #21): employees suspend, unsuspend and change the plan, administrators delete.
MATRIX.update(
    {
        "hosting:resellerhosting_suspend": (
            lambda world: {"pk": hosting_on_server(world).pk},
            POST_ONLY,
            MEMBERS_REDIRECT,
        ),
        "hosting:resellerhosting_unsuspend": (
            lambda world: {"pk": hosting_on_server(world, "suspended").pk},
            POST_ONLY,
            MEMBERS_REDIRECT,
        ),
        "hosting:resellerhosting_delete": (
            lambda world: {"pk": hosting_on_server(world).pk},
            POST_ONLY,
            expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302),
        ),
        "hosting:resellerhosting_change_product": (
            lambda world: {"pk": hosting_on_server(world).pk},
            MEMBERS_ONLY,
            MEMBERS_ONLY,
        ),
        "api:change_hosting_product": (
            lambda world: {"hosting_id": hosting_on_server(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=422, admin=422, owner=422),
            "post",
            {"product": 0},
        ),
        "api:suspend_hosting": (
            lambda world: {"hosting_id": hosting_on_server(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=202, admin=202, owner=202),
            "post",
            {"reason": "Matrix"},
        ),
        "api:unsuspend_hosting": (
            lambda world: {"hosting_id": hosting_on_server(world, "suspended").pk},
            expect(405),
            expect(404, anonymous=401, employee=202, admin=202, owner=202),
        ),
        "api:delete_hosting": (
            lambda world: {"hosting_id": hosting_on_server(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=403, admin=202, owner=202),
        ),
        # Hosting spaces (issue #21): made on the customer's page, given their domain later.
        "hosting:hosting_space_add": (customer, MEMBERS_ONLY, MEMBERS_ONLY),
        "hosting:resellerhosting_add_domain": (
            lambda world: {"pk": hosting_on_server(world, "prepared").pk},
            MEMBERS_ONLY,
            MEMBERS_ONLY,
        ),
        "api:add_hosting_domain": (
            lambda world: {"hosting_id": hosting_on_server(world, "prepared").pk},
            expect(405),
            expect(404, anonymous=401, employee=202, admin=202, owner=202),
            "post",
            {"domain": "matrix-space.example"},
        ),
    }
)


def bound_plan(world):
    """A plan id on the matrix's bound contract, whose server refuses connections (members learn so)."""
    return {"pk": bound_contract(world).pk, "plan_id": 1}


def api_bound_plan(world):
    return {"contract_id": bound_contract(world).pk, "plan_id": 1}


# Hosting plans (issue #21): employees see them, administrators change them; the matrix server is down.
ADMINS_REDIRECT = expect(404, anonymous=LOGIN, employee=403, admin=302, owner=302)
API_ADMINS_UNAVAILABLE = expect(404, anonymous=401, employee=403, admin=503, owner=503)
MATRIX.update(
    {
        "hosting:hostingplan_list": (None, OWN_ACCOUNT, None),
        "hosting:hostingplan_add": (None, ADMIN_LIST, ADMIN_LIST),
        "hosting:hostingplan_edit": (bound_plan, ADMINS_REDIRECT, ADMINS_REDIRECT),
        "hosting:hostingplan_delete": (bound_plan, ADMINS_REDIRECT, ADMINS_REDIRECT),
        "api:list_plans": (
            lambda world: {"contract_id": bound_contract(world).pk},
            expect(404, anonymous=401, employee=503, admin=503, owner=503),
            None,
        ),
        "api:create_plan": (
            lambda world: {"contract_id": bound_contract(world).pk},
            expect(404, anonymous=401, employee=503, admin=503, owner=503),
            API_ADMINS_UNAVAILABLE,
            "post",
            {"name": "Matrix"},
        ),
        "api:update_plan": (api_bound_plan, expect(405), API_ADMINS_UNAVAILABLE, "patch", {"name": "Matrix"}),
        "api:delete_plan": (api_bound_plan, expect(405), API_ADMINS_UNAVAILABLE, "delete"),
    }
)


# The white-label portal's mail log (issue #19): the reseller's administrators read their own account's.
MATRIX["portal_mail:maildelivery_list"] = (None, ADMIN_LIST, None)

# Kontenzusammenfassung (issue #21): every member sees and sends their own customer's; sending redirects back.
MATRIX.update(
    {
        "portal:account_summary": (customer, MEMBERS_ONLY, MEMBERS_REDIRECT),
        "api:get_account_summary": (api_customer, API_OWN, None),
        "api:send_customer_account_summary": (
            api_customer,
            expect(405),
            expect(404, anonymous=401, employee=202, admin=202, owner=202),
        ),
    }
)


def support_request(world):
    """A request R1's owner sent: the owner's alone, not even the colleagues' (``support.models.own_requests``)."""
    from support.models import SupportRequest

    sent = SupportRequest.objects.create(
        account=world.r1.account, sender=world.r1.owner, topic="other", message=f"{MARKER} Frage"
    )
    return {"pk": sent.pk}


# Kontakt is for every member of any account; a request is seen by its sender only.
SENDER_ONLY = expect(404, anonymous=LOGIN, owner=200)
MATRIX.update(
    {
        "support:request_list": (None, OWN_ACCOUNT, None),
        "support:request_add": (None, OWN_ACCOUNT, OWN_ACCOUNT),
        "support:request_detail": (support_request, SENDER_ONLY, None),
        "api:list_support_requests": (None, expect(200, anonymous=401, loner=404, staff=404), None),
        "api:create_support_request": (
            None,
            expect(200, anonymous=401, loner=404, staff=404),
            expect(201, anonymous=401, loner=404, staff=404),
            "post",
            {"topic": "other", "message": "Matrix"},
        ),
        "api:get_support_request": (
            lambda world: {"request_id": support_request(world)["pk"]},
            expect(404, anonymous=401, owner=200),
            None,
        ),
    }
)


def r1_template(world):
    from portal.models import PortalTemplate

    return PortalTemplate.objects.create(
        account=world.r1.account, portal_url="https://kunden.matrix.test", portal_name=f"{MARKER} Portal"
    )


# Portal templates: a partner account's owners and administrators; employees 403. The images are public
# (the end customers' login page shows them); without an uploaded file there is nothing to serve.
TEMPLATE_ADMINS = expect(404, anonymous=LOGIN, employee=403, admin=200, owner=200)
API_TEMPLATE_ADMINS = expect(404, anonymous=401, employee=403, admin=200, owner=200)
MATRIX.update(
    {
        "portal:template_list": (None, ADMIN_LIST, None),
        # An empty form is re-shown with its errors.
        "portal:template_edit": (lambda world: {"pk": r1_template(world).pk}, TEMPLATE_ADMINS, TEMPLATE_ADMINS),
        "portal:template_image": (
            lambda world: {"pk": r1_template(world).pk, "kind": "logo"},
            expect(404),
            expect(405),
        ),
        "api:list_portal_templates": (None, expect(200, anonymous=401, loner=404, staff=404, employee=403), None),
        "api:export_portal_templates": (None, expect(200, anonymous=401, loner=404, staff=404, employee=403), None),
        "api:get_portal_template": (lambda world: {"template_id": r1_template(world).pk}, API_TEMPLATE_ADMINS, None),
        "api:update_portal_template": (
            lambda world: {"template_id": r1_template(world).pk},
            API_TEMPLATE_ADMINS,
            API_TEMPLATE_ADMINS,
            "patch",
            {"title": "Matrix"},
        ),
        # The matrix template has no mail server: the test is refused with the reason.
        "api:send_portal_template_test_mail": (
            lambda world: {"template_id": r1_template(world).pk},
            expect(405),
            expect(404, anonymous=401, employee=403, admin=422, owner=422),
        ),
    }
)


def r1_profile(world, **fields):
    """R1's public partner profile (no marker: it is public by design), once."""
    from profiles.models import PartnerProfile

    values = {"display_name": "Erste Agentur", "is_public": True, "services": "webdesign", **fields}
    profile, _created = PartnerProfile.objects.get_or_create(
        account=world.r1.account, slug="erste-agentur", defaults=values
    )
    return profile


def r1_profile_logo(world):
    from django.core.files.base import ContentFile

    from portal.tests.template_fixtures import image_bytes

    profile = r1_profile(world)
    profile.logo.save("logo.png", ContentFile(image_bytes()))
    return {"pk": profile.pk}


def r1_inquiry(world):
    from profiles.models import Inquiry

    r1_profile(world)
    inquiry = Inquiry.objects.create(
        account=world.r1.account,
        name=f"{MARKER} Interessent",
        email="interessent@example.test",
        phone="030 9876543",
        message="Bitte um ein Angebot.",
    )
    return {"pk": inquiry.pk}


def r1_linked_customer(world):
    from profiles.models import Inquiry

    Inquiry.objects.filter(pk=r1_inquiry(world)["pk"]).update(end_customer=world.r1.customer, status="done")
    return customer(world)


# The partner network's public face (issue #20): Partnerprofil (owners and administrators edit, employees see),
# the public directory and profile page (anyone), and Kundenverwaltung → Anfragen (every member).
PUBLIC = expect(200)
PROFILE_BODY = {"display_name": "Matrix Agentur", "services": ["hosting"], "is_public": True}
MATRIX.update(
    {
        "profiles:profile_edit": (
            None,
            OWN_ACCOUNT,
            expect(200, anonymous=LOGIN, loner=404, staff=404, employee=403),
        ),
        "profiles:directory": (lambda world: r1_profile(world) and None, PUBLIC, expect(405)),
        "profiles:public_profile": (lambda world: {"slug": r1_profile(world).slug}, PUBLIC, PUBLIC),
        "profiles:inquiry_sent": (lambda world: {"slug": r1_profile(world).slug}, PUBLIC, expect(405)),
        "profiles:logo": (r1_profile_logo, PUBLIC, expect(405)),
        "profiles:inquiry_list": (lambda world: r1_inquiry(world) and None, OWN_ACCOUNT, None),
        "profiles:inquiry_detail": (r1_inquiry, MEMBERS_ONLY, None),
        # An empty POST names no way ("mode"): the page is shown again.
        "profiles:inquiry_customer": (r1_inquiry, MEMBERS_ONLY, MEMBERS_ONLY),
        "profiles:inquiry_status": (r1_inquiry, POST_ONLY, MEMBERS_REDIRECT),
        "profiles:endcustomer_inquiries": (r1_linked_customer, MEMBERS_ONLY, None),
        "api:get_profile": (lambda world: r1_profile(world) and None, API_OWN, None),
        "api:put_profile": (
            lambda world: r1_profile(world) and None,
            API_OWN,
            expect(200, anonymous=401, loner=404, staff=404, employee=403),
            "put",
            PROFILE_BODY,
        ),
        "api:list_partners": (lambda world: r1_profile(world) and None, PUBLIC, None),
        "api:list_inquiries": (
            lambda world: r1_inquiry(world) and None,
            expect(200, anonymous=401, loner=404, staff=404),
            None,
        ),
        "api:export_inquiries": (
            lambda world: r1_inquiry(world) and None,
            expect(200, anonymous=401, loner=404, staff=404),
            None,
        ),
        "api:get_inquiry": (lambda world: {"inquiry_id": r1_inquiry(world)["pk"]}, API_OWN, None),
        "api:set_inquiry_status": (
            lambda world: {"inquiry_id": r1_inquiry(world)["pk"]},
            expect(405),
            API_OWN,
            "post",
            {"status": "done"},
        ),
        # No customer 0: a field error for the members, the outsider's 404 before anything is read.
        "api:assign_inquiry": (
            lambda world: {"inquiry_id": r1_inquiry(world)["pk"]},
            expect(405),
            expect(404, anonymous=401, employee=422, admin=422, owner=422),
            "post",
            {"end_customer": 0},
        ),
        "api:create_customer_from_inquiry": (
            lambda world: {"inquiry_id": r1_inquiry(world)["pk"]},
            expect(405),
            expect(404, anonymous=401, employee=201, admin=201, owner=201),
            "post",
            {
                "number": "ANFRAGE-1",
                "street": "Weg 1",
                "postal_code": "10115",
                "city": "Berlin",
                "mobile": "0170 1234567",
            },
        ),
    }
)


# Django's admin checks one thing for all its pages: an active staff user.
ADMIN_NAMESPACE_GET = expect(LOGIN, staff=200)


def all_url_names() -> list[str]:
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or None
                full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, full)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_url_is_in_the_matrix():
    missing = [name for name in all_url_names() if name not in MATRIX and not name.startswith("admin:")]
    assert missing == [], f"Add these URLs to the view matrix: {missing}"


def client_as(role: str, world) -> Client:
    client = Client()
    users = {
        "loner": world.loner,
        "employee": world.r1.employee,
        "admin": world.r1.admin,
        "owner": world.r1.owner,
        "outsider": world.r2.owner,
        "staff": world.staff,
    }
    if role != "anonymous":
        login(client, users[role])
    return client


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith((reverse("users:login"), reverse("admin:login")))
    elif expected == 302:
        assert response.status_code == 302, response.status_code
        assert not response["Location"].startswith(reverse("users:login"))
    else:
        assert response.status_code == expected


CASES = [
    (name, role, method)
    for name, (_kwargs, get, write, *_rest) in MATRIX.items()
    for role in ROLES
    for method in (("GET", "WRITE") if write is not None else ("GET",))
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "method"), CASES)
def test_view_answers_each_role_as_listed(world, name, role, method):
    response = send(client_as(role, world), world, name, method)
    check(response, expected(name, method, role))
    if role == "outsider" and response.status_code == 200 and not response.streaming:
        assert MARKER not in response.content.decode()


def expected(name, method, role):
    _kwargs, get, write, *_rest = MATRIX[name]
    return (get if method == "GET" else write)[role]


def send(client, world, name, method):
    kwargs_factory, _get, _write, write_method, body = (*MATRIX[name], "post", None)[:5]
    url = reverse(name, kwargs=kwargs_factory(world) if kwargs_factory else None)
    if method == "GET":
        return client.get(url)
    if body is not None:
        return getattr(client, write_method)(url, body, content_type="application/json")
    if write_method != "post":
        return getattr(client, write_method)(url)
    return client.post(url, {"account": world.r1.account.pk} if name == "accounts:switch" else {})


# A token speaks for its member in its account, exactly as that member's session does.
TOKEN_ROLES = {"employee": ("r1", Role.EMPLOYEE), "admin": ("r1", Role.ADMIN), "owner": ("r1", Role.OWNER)}
TOKEN_ROLES["outsider"] = ("r2", Role.OWNER)
TOKEN_CASES = [
    (name, role, method)
    for name, role, method in CASES
    if name.startswith("api:") and name not in {"api:api-root", "api:openapi-json", "api:openapi-view"}
    if role in TOKEN_ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "method"), TOKEN_CASES)
def test_the_api_answers_a_bearer_token_as_the_members_session(world, name, role, method):
    tenant, token_role = TOKEN_ROLES[role]
    response = send(api_client(getattr(world, tenant), token_role), world, name, method)
    check(response, expected(name, method, role))
    if role == "outsider" and response.status_code == 200 and not response.streaming:
        assert MARKER not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "generic"])
@pytest.mark.parametrize("name", ["accounts:membership_edit", "accounts:membership_delete", "users:profile"])
def test_unusual_methods_are_refused_without_running_the_view(world, name, method):
    kwargs = employee_membership(world) if name.startswith("accounts:membership") else None
    url = reverse(name, kwargs=kwargs)
    client = client_as("outsider", world)
    before = AuditEntry.objects.count(), Membership.objects.count()
    if method == "generic":
        response = client.generic("FOO", url)
    else:
        response = getattr(client, method)(url)
    assert response.status_code in (404, 405)
    assert (AuditEntry.objects.count(), Membership.objects.count()) == before


@pytest.mark.django_db
def verified(client, user):
    """Mark the client's session as having passed the two-factor step."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_admin_pages_are_for_staff_with_two_factor_only(world):
    for role in ROLES:
        client = client_as(role, world)
        if role == "staff":
            verified(client, world.staff)
        for url in (reverse("admin:index"), reverse("admin:accounts_account_changelist")):
            check(client.get(url), ADMIN_NAMESPACE_GET[role])


def test_staff_without_two_factor_are_sent_to_set_it_up(world):
    client = client_as("staff", world)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("users:two_factor_setup")
    assert "requires two-factor login" in response.content.decode()


# --- The end-customer portal (portal.urls), on the reseller's own host ---------------------------------------
# Roles, each on the host where it can have a session:
# - ``anonymous``: nobody logged in, on R1's portal host
# - ``portal``: R1's portal user, on R1's portal host: the owner of the objects below
# - ``other_customer``: a portal user of another end customer of R1, on R1's portal host
# - ``other_portal``: R2's portal user, on R2's portal host, asking for R1's objects there
# - ``member``: R1's owner with a main-portal session, carried to R1's portal host (no session there)
PORTAL_ROLES = ("anonymous", "portal", "other_customer", "other_portal", "member")


def portal_expect(default, **per_role):
    return {role: per_role.get(role, default) for role in PORTAL_ROLES}


def portal_hosting(world):
    from hosting.models import HostingServer, ResellerHosting

    # A server that refuses connections: "Plesk öffnen" answers with the message and the way back.
    server = HostingServer.objects.create(
        name="Closed", host="127.0.0.1", port=9, use_tls=False, login="admin", password="x", is_sandbox=True
    )
    contract = world.r1.contract
    contract.hosting_server, contract.plesk_login, contract.plesk_password = server, "reseller", "pw"
    contract.save()
    hosting = ResellerHosting.objects.get(pk=world.portal_data["r1_hosting"].pk)
    hosting.plesk_customer_login = "k20001-r1-1"
    hosting.save()
    return {"pk": hosting.pk}


def portal_reset_link(world):
    user = world.r1.portal_user.user
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


def portal_logo(world):
    from django.core.files.base import ContentFile

    from portal.tests.template_fixtures import image_bytes

    template = world.portal_templates[0]
    template.logo.save("logo.png", ContentFile(image_bytes()))
    return {"pk": template.pk, "kind": "logo"}


def portal_handoff_token(world):
    from access.models import ServiceAccess
    from portal.service_access import handoff_url

    access = ServiceAccess.objects.with_state().get(pk=end_customer_access(world)["pk"])
    return {"token": handoff_url(world.r1.actor(Role.OWNER), access).rstrip("/").rsplit("/", 1)[1]}


LOGGED_IN = portal_expect(200, anonymous=LOGIN, member=LOGIN)
OWN_OBJECT = portal_expect(404, anonymous=LOGIN, member=LOGIN, portal=200)
READ_ONLY = portal_expect(405, anonymous=LOGIN, member=LOGIN)
PORTAL_MATRIX = {
    "endportal:overview": (None, LOGGED_IN, READ_ONLY),
    "endportal:login": (None, portal_expect(302, anonymous=200, member=200), None),
    "endportal:login_otp": (None, portal_expect(LOGIN), portal_expect(LOGIN)),
    "endportal:logout": (None, portal_expect(405, anonymous=LOGIN, member=LOGIN), portal_expect(LOGIN)),
    "endportal:password_reset": (None, portal_expect(200), portal_expect(200)),
    "endportal:password_reset_done": (None, portal_expect(200), portal_expect(405)),
    # R1's portal user's link: on R2's portal it is an invalid link (the page that says so).
    "endportal:password_reset_confirm": (
        portal_reset_link,
        portal_expect(302, other_portal=200),
        portal_expect(302, other_portal=200),
    ),
    "endportal:products": (None, LOGGED_IN, READ_ONLY),
    "endportal:domains": (None, LOGGED_IN, READ_ONLY),
    "endportal:hosting": (portal_hosting, OWN_OBJECT, READ_ONLY),
    "endportal:hosting_plesk": (
        portal_hosting,
        portal_expect(405, anonymous=LOGIN, member=LOGIN),
        portal_expect(404, anonymous=LOGIN, member=LOGIN, portal=302),
    ),
    "endportal:profile": (None, LOGGED_IN, READ_ONLY),
    "endportal:password_change": (None, LOGGED_IN, LOGGED_IN),
    "endportal:two_factor_setup": (None, LOGGED_IN, LOGGED_IN),
    "endportal:two_factor_disable": (None, LOGGED_IN, LOGGED_IN),
    "endportal:service_access_revoke": (
        end_customer_access,
        portal_expect(405, anonymous=LOGIN, member=LOGIN),
        portal_expect(404, anonymous=LOGIN, member=LOGIN, portal=302),
    ),
    # Only a session of a reseller viewing through a service access has anything to end.
    "endportal:service_access_end": (
        None,
        portal_expect(405, anonymous=LOGIN, member=LOGIN),
        portal_expect(404, anonymous=LOGIN, member=LOGIN),
    ),
    # R1's one-time link opens a viewing session on R1's portal host, whoever is there; nowhere else.
    "endportal:service_access_enter": (
        portal_handoff_token,
        portal_expect(302, other_portal=404),
        portal_expect(405),
    ),
    "endportal:theme": (None, portal_expect(200), portal_expect(405)),
    # Public like the login page that shows it, but each portal host serves its own template's images only.
    "endportal:template_image": (portal_logo, portal_expect(200, other_portal=404), portal_expect(405)),
    "set_language": (None, portal_expect(302), portal_expect(302)),
}


def portal_url_names() -> list[str]:
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver("portal.urls").url_patterns)))


def test_every_portal_url_is_in_the_portal_matrix():
    missing = [name for name in portal_url_names() if name not in PORTAL_MATRIX]
    assert missing == [], f"Add these URLs to the portal matrix: {missing}"


def portal_client_as(role: str, world) -> Client:
    from customers.models import PortalUser
    from portal.services import SESSION_TEMPLATE_KEY
    from portal.tests.helpers import HOST_A, HOST_B

    template_a, template_b = world.portal_templates
    if role == "anonymous":
        return Client(HTTP_HOST=HOST_A)
    if role == "member":
        main = login(Client(), world.r1.owner)
        client = Client(HTTP_HOST=HOST_A)
        client.cookies["sessionid"] = main.cookies["sessionid"].value
        return client
    if role == "other_customer":
        portal_user = PortalUser.objects.create(user=make_user("r1-portal-other"), end_customer=world.r1.plain_customer)
        user, host, template = portal_user.user, HOST_A, template_a
    elif role == "other_portal":
        user, host, template = world.r2.portal_user.user, HOST_B, template_b
    else:
        user, host, template = world.r1.portal_user.user, HOST_A, template_a
    client = Client(HTTP_HOST=host)
    client.force_login(user, backend="users.backends.UsernameOrEmailBackend")
    session = client.session
    session[SESSION_TEMPLATE_KEY] = template.pk
    session.save()
    return client


PORTAL_CASES = [
    (name, role, method)
    for name, (_kwargs, get, write) in PORTAL_MATRIX.items()
    for role in PORTAL_ROLES
    for method in (("GET", "WRITE") if write is not None else ("GET",))
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "method"), PORTAL_CASES)
def test_the_portal_answers_each_role_as_listed(world, name, role, method):
    from portal.tests.helpers import give_products, make_portals

    world.portal_templates = make_portals(world)
    world.portal_data = give_products(world)
    kwargs_factory, get, write = PORTAL_MATRIX[name]
    # The client first: logging in changes what a password-reset token is made of.
    client = portal_client_as(role, world)
    url = reverse(name, urlconf="portal.urls", kwargs=kwargs_factory(world) if kwargs_factory else None)
    response = client.get(url) if method == "GET" else client.post(url, {})
    expected_status = (get if method == "GET" else write)[role]
    if expected_status == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/login/")
    elif expected_status == 302:
        assert response.status_code == 302, response.status_code
        assert not response["Location"].startswith("/login/")
    else:
        assert response.status_code == expected_status
    if role in ("other_customer", "other_portal") and response.status_code == 200 and not response.streaming:
        assert "r1-shop.de" not in response.content.decode()


MAIN_URLS_FOR_PORTAL_USERS = [name for name in MATRIX if not name.startswith("api:") and MATRIX[name][0] is None]


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["HOST_A", "HOST_B"])
@pytest.mark.parametrize("name", MAIN_URLS_FOR_PORTAL_USERS)
def test_main_portal_urls_do_not_exist_on_portal_hosts(world, name, host):
    """R1's portal user, logged in on R1's portal, finds none of the main portal's pages there (and R2's
    portal user none on R2's): 404, or the portal's own page where the path is the same (login, logout,
    password reset, profile, language switch)."""
    from portal.tests import helpers

    world.portal_templates = make_portals_once(world)
    portal_names = {reverse(n, urlconf="portal.urls") for n in PORTAL_MATRIX if PORTAL_MATRIX[n][0] is None}
    role = "portal" if host == "HOST_A" else "other_portal"
    client = portal_client_as(role, world)
    assert client.defaults["HTTP_HOST"] == getattr(helpers, host)
    # The portal host's request left its own urlconf in this thread: name the main portal's explicitly.
    path = reverse(name, urlconf=settings.ROOT_URLCONF)
    response = client.get(path)
    if path in portal_names:
        assert response.status_code in (200, 302, 405)
    else:
        assert response.status_code == 404, path
    assert "Partnerportal" not in response.content.decode()


def make_portals_once(world):
    from portal.tests.helpers import make_portals

    return make_portals(world)


# A partner with Teilzugriff (issue #20): a third reseller's owner works in R1's account with only R1's contract
# shared. Every page and endpoint of the matrix, read as that partner, shows nothing of R1 but the shared contract:
# no other object's marker, in lists, counts, pages and the API (the account's name, in the banner, aside).
PARTIAL_GET_CASES = [name for name, (_kwargs, get, *_rest) in MATRIX.items() if name != "users:logout"]


def partial_partner_client(world) -> Client:
    from conftest import make_tenant
    from contracts.models import Contract
    from partners.services import Right, grant_partnership

    partner = make_tenant("20009", "Dritte Agentur", "r3")
    Contract.objects.filter(pk=world.r1.contract.pk).update(note="Geteilter Vertrag")
    shared = {("contracts.Contract", world.r1.contract.pk): Right(technical=True, statistics=True)}
    partnership = grant_partnership(world.r1.actor(), partner.account, full=False, rights=shared, notify=False)
    client = login(Client(), partner.owner)
    verified(client, partner.owner)
    response = client.post(reverse("partners:managed_open", args=[partnership.pk]))
    assert response.status_code == 302
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", PARTIAL_GET_CASES)
def test_a_partner_with_partial_access_learns_nothing_outside_it(world, name):
    client = partial_partner_client(world)
    response = send(client, world, name, "GET")
    if response.status_code == 200 and not response.streaming:
        content = response.content.decode().replace(world.r1.account.name, "")
        assert MARKER not in content
    if name == "contracts:contract_detail":
        assert response.status_code == 200
