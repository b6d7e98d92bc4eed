"""The sidebar, grouped as in the provider's portal. Apps add entries as their features land."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.roles import Role

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from core.actor import Actor


def is_partner(actor: Actor) -> bool:
    return actor.has_account and actor.account is not None and actor.account.is_partner


def is_staff(actor: Actor) -> bool:
    return actor.user is not None and actor.user.is_staff


@dataclass(frozen=True)
class MenuItem:
    label: Promise | str
    url_name: str
    icon: str
    visible: Callable[[Actor], bool] = lambda actor: actor.has_account


@dataclass(frozen=True)
class MenuGroup:
    label: Promise | str | None
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
        (MenuItem(_("Operator area"), "admin:index", "shield-lock", is_staff),),
    ),
    MenuGroup(None, (MenuItem(_("Profile"), "users:profile", "person-circle", lambda actor: True),)),
)


def menu_for(actor: Actor) -> list[tuple[Promise | str | None, list[MenuItem]]]:
    groups = []
    for group in MENU:
        items = [item for item in group.items if item.visible(actor)]
        if items:
            groups.append((group.label, items))
    return groups
