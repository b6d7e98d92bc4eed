"""The sidebar, grouped as in the provider's portal. Apps add entries as their features land."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.roles import Role


def is_partner(actor) -> bool:
    return actor.has_account and actor.account.is_partner


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    icon: str
    visible: Callable = lambda actor: actor.has_account


@dataclass(frozen=True)
class MenuGroup:
    label: str | None
    items: tuple[MenuItem, ...]


MENU = (
    MenuGroup(None, (MenuItem(_("Dashboard"), "dashboard", "speedometer2", lambda actor: True),)),
    MenuGroup(None, (MenuItem(_("Product management"), "contracts:contract_list", "box-seam"),)),
    MenuGroup(
        _("MKM"),
        (
            MenuItem(_("Customers"), "customers:endcustomer_list", "person-vcard", is_partner),
            MenuItem(_("My to-dos"), "customers:todo_list", "check2-square", is_partner),
            MenuItem(_("Products"), "products:resellerproduct_list", "tags", is_partner),
        ),
    ),
    MenuGroup(
        _("Reseller"),
        (
            MenuItem(
                _("Service accesses"),
                "access:serviceaccess_list",
                "key",
                lambda actor: actor.has_role(Role.ADMIN) and actor.grant is None,
            ),
        ),
    ),
    MenuGroup(
        _("Account"),
        (
            MenuItem(_("Members"), "accounts:membership_list", "people"),
            MenuItem(_("Activity"), "audit:auditentry_list", "clock-history"),
            MenuItem(_("Settings"), "accounts:settings", "gear", lambda actor: actor.has_role(Role.OWNER)),
        ),
    ),
    MenuGroup(
        _("Administration"),
        (MenuItem(_("Operator area"), "admin:index", "shield-lock", lambda actor: actor.user.is_staff),),
    ),
    MenuGroup(None, (MenuItem(_("Profile"), "users:profile", "person-circle", lambda actor: True),)),
)


def menu_for(actor):
    groups = []
    for group in MENU:
        items = [item for item in group.items if item.visible(actor)]
        if items:
            groups.append((group.label, items))
    return groups
