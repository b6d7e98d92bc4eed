"""Demo data for the sandbox: the reseller ``reseller-demo`` with three plans and two old subscriptions."""

from __future__ import annotations

import secrets

from .state import Account, Plan, SandboxState, Webspace, hash_password, new_guid, today

DEMO_RESELLER = "reseller-demo"
GIB = 1024**3
DEMO_PACKAGE_DISK_SPACE = 5 * 1024 * GIB

DEMO_PLANS = {
    "Webhosting S": {
        "disk_space": 5 * GIB,
        "max_traffic": 50 * GIB,
        "max_site": 1,
        "max_subdom": 5,
        "max_box": 5,
        "mbox_quota": 1 * GIB,
        "max_db": 1,
    },
    "Webhosting M": {
        "disk_space": 20 * GIB,
        "max_traffic": 200 * GIB,
        "max_site": 3,
        "max_subdom": 20,
        "max_box": 25,
        "mbox_quota": 2 * GIB,
        "max_db": 5,
    },
    "Webhosting L": {
        "disk_space": 50 * GIB,
        "max_traffic": -1,
        "max_site": 10,
        "max_subdom": -1,
        "max_box": 100,
        "mbox_quota": 5 * GIB,
        "max_db": 20,
    },
}
DEMO_SUBSCRIPTIONS = (
    # (customer login, contact name, company, domain, plan, FTP login, disk use in MiB)
    ("kunde-alt", "Karl Altmann", "Kunde Alt GmbH", "kunde-alt.example", "Webhosting S", "kundealt", 48),
    ("shop-alt", "Sabine Schaller", "Shop Alt OHG", "shop-alt.example", "Webhosting M", "shopalt", 310),
)
# What the demo subscriptions use besides disk space, by limit name (traffic in bytes this month).
DEMO_USAGE = {
    "kunde-alt.example": {"max_traffic": 3 * GIB // 2, "max_box": 2, "max_db": 1, "max_subdom": 1},
    "shop-alt.example": {"max_traffic": 186 * GIB, "max_box": 12, "max_db": 3, "max_subdom": 4, "max_site": 2},
}


def seed_demo(state: SandboxState, *, reseller_password: str | None = None) -> dict[str, str]:
    """Add the demo reseller, its plans "Webhosting S/M/L", and customers ``kunde-alt`` and ``shop-alt``
    with the subscriptions ``kunde-alt.example`` and ``shop-alt.example``.

    Returns ``{login: password}`` of the accounts created (random passwords where none is given);
    empty when the demo reseller already exists, so seeding twice changes nothing.
    """
    if state.account_by_login(DEMO_RESELLER) is not None:
        return {}
    passwords = {DEMO_RESELLER: reseller_password or secrets.token_urlsafe(12)}
    reseller_plan = next((p for p in state.reseller_plans if p.name == "Default Reseller"), None)
    reseller = Account(
        id=state.new_id("account"),
        type="reseller",
        login=DEMO_RESELLER,
        password_hash=hash_password(passwords[DEMO_RESELLER]),
        guid=new_guid(),
        owner_id=state.admin.id,
        cr_date=today(),
        pname="Rita Reseller",
        cname="Demo Webhosting GmbH",
        email="rita@reseller-demo.example",
        city="Berlin",
        country="DE",
        locale="de-DE",
        ip_pool=[{"ip": ip.address, "type": ip.type} for ip in state.ips if ip.type == "shared"],
        plan_guid=reseller_plan.guid if reseller_plan else None,
        # Room for the provisioning drills and benchmarks (hundreds of customers and subscriptions on
        # "Webhosting S"), finite enough that a plan or subscription can be too big for it.
        limits={"max_cl": -1, "max_webspaces": -1, "disk_space": DEMO_PACKAGE_DISK_SPACE},
        permissions={"create_clients": True, "allow_oversell": False},
    )
    state.accounts.append(reseller)
    plans = {}
    for name, limits in DEMO_PLANS.items():
        plan = Plan(
            id=state.new_id("plan"),
            guid=new_guid(),
            name=name,
            owner_id=reseller.id,
            limits=dict(limits),
            hosting={"ssl": "true", "php": "true", "php_handler_id": "plesk-php83-fpm"},
        )
        state.plans.append(plan)
        plans[name] = plan
    ip_address = reseller.ip_pool[0]["ip"] if reseller.ip_pool else state.ips[0].address
    for login, person, company, domain, plan_name, ftp_login, mebibytes in DEMO_SUBSCRIPTIONS:
        passwords[login] = secrets.token_urlsafe(12)
        customer = Account(
            id=state.new_id("account"),
            type="customer",
            login=login,
            password_hash=hash_password(passwords[login]),
            guid=new_guid(),
            owner_id=reseller.id,
            cr_date=today(),
            pname=person,
            cname=company,
            email=f"info@{domain}",
            country="DE",
            locale="de-DE",
        )
        state.accounts.append(customer)
        plan = plans[plan_name]
        state.webspaces.append(
            Webspace(
                id=state.new_id("webspace"),
                guid=new_guid(),
                name=domain,
                owner_id=customer.id,
                vendor_id=reseller.id,
                htype="vrt_hst",
                ip_address=ip_address,
                cr_date=today(),
                plan_guid=plan.guid,
                ftp_login=ftp_login,
                hosting={**plan.hosting, "www_root": f"/var/www/vhosts/{domain}/httpdocs"},
                real_size=mebibytes * 1024 * 1024,
                usage=dict(DEMO_USAGE[domain]),
            )
        )
    return passwords
