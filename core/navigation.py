"""The sidebar, grouped as in the provider's portal. Apps add entries as their features land.

An entry shows exactly when its page lets the actor in: by the same rule the page's view applies
(``core.access.require_action``: the model's feature in the account and the role's right to the action,
i.e. ``Actor.may``) and by the pages a provider may not use while it works through service access
(``core.access.refused_while_switched``). Pages without a model rule name theirs in ``visible``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from core.access import refused_while_switched
from core.roles import Role
from core.tenancy import ADD, CHANGE, VIEW

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from core.actor import Actor


def is_staff(actor: Actor) -> bool:
    return actor.user is not None and actor.user.is_staff


def anyone(actor: Actor) -> bool:
    return True


def has_account(actor: Actor) -> bool:
    return actor.has_account


def below_admin(actor: Actor) -> bool:
    """An employee (Meine Kunden instead of Verwaltete Kunden)."""
    return not actor.has_role(Role.ADMIN)


@dataclass(frozen=True)
class MenuItem:
    label: Promise | str
    url_name: str
    icon: str
    # The model (``"app_label.Model"``) and action whose rule the page's view requires ...
    model: str | None = None
    action: str = VIEW
    # ... or, for a page without one, who may open it (with one: to whom of those the entry shows).
    visible: Callable[[Actor], bool] = anyone

    def shown_to(self, actor: Actor) -> bool:
        if refused_while_switched(actor, self.url_name):
            return False
        if self.model is not None and not actor.may(apps.get_model(self.model), self.action):
            return False
        return self.visible(actor)


@dataclass(frozen=True)
class MenuGroup:
    label: Promise | str | None
    items: tuple[MenuItem, ...]


MENU = (
    MenuGroup(None, (MenuItem(_("Dashboard"), "dashboard", "speedometer2"),)),
    MenuGroup(None, (MenuItem(_("Product management"), "contracts:contract_list", "box-seam", "contracts.Contract"),)),
    MenuGroup(
        _("MKM"),
        (
            MenuItem(_("Customers"), "customers:endcustomer_list", "person-vcard", "customers.EndCustomer"),
            MenuItem(_("Inquiries"), "profiles:inquiry_list", "envelope-open", "profiles.Inquiry"),
            MenuItem(_("My to-dos"), "customers:todo_list", "check2-square", "customers.Todo"),
            MenuItem(_("Products"), "products:resellerproduct_list", "tags", "products.ResellerProduct"),
            MenuItem(_("Hosting plans"), "hosting:hostingplan_list", "sliders", "hosting.HostingPlan"),
            MenuItem(_("MKM hostings"), "hosting:resellerhosting_list", "hdd-stack", "hosting.ResellerHosting"),
        ),
    ),
    MenuGroup(
        _("Reseller"),
        (
            MenuItem(_("Managed customers"), "partners:managed_list", "people-fill", "partners.Partnership", CHANGE),
            # An employee's managed customers are those assigned to it (the same list, restricted).
            MenuItem(
                _("My customers"), "partners:managed_list", "people-fill", "partners.Partnership", visible=below_admin
            ),
            MenuItem(_("Service accesses"), "access:serviceaccess_list", "key", "access.ServiceAccess"),
            MenuItem(_("Partner profile"), "profiles:profile_edit", "shop-window", "profiles.PartnerProfile"),
        ),
    ),
    MenuGroup(
        _("Account"),
        (
            MenuItem(_("Members"), "accounts:membership_list", "people", "accounts.Membership"),
            MenuItem(_("Activity"), "audit:auditentry_list", "clock-history", "audit.AuditEntry"),
            MenuItem(_("Partners"), "partners:customer_partner_list", "person-badge", visible=has_account),
            MenuItem(_("Settings"), "accounts:settings", "gear", "accounts.Account", CHANGE),
        ),
    ),
    MenuGroup(
        _("Administration"),
        (
            MenuItem(_("Portal templates"), "portal:template_list", "palette", "portal.PortalTemplate"),
            MenuItem(_("Mail log"), "portal_mail:maildelivery_list", "envelope-paper", "portal.MailDelivery"),
            MenuItem(_("Operator area"), "admin:index", "shield-lock", visible=is_staff),
        ),
    ),
    MenuGroup(
        None,
        (
            MenuItem(_("Profile"), "users:profile", "person-circle"),
            MenuItem(_("Contact"), "support:request_add", "envelope", "support.SupportRequest", ADD),
        ),
    ),
)


# Counts shown next to an entry (the open inquiries next to "Anfragen"), by its URL name. The app that knows the
# count registers it from ``AppConfig.ready()``; it is read when the sidebar is drawn, never for a fragment.
BADGES: dict[str, Callable[[Actor], int]] = {}


def register_badge(url_name: str, count: Callable[[Actor], int]) -> None:
    BADGES[url_name] = count


def badge_for(actor: Actor, item: MenuItem) -> int:
    count = BADGES.get(item.url_name)
    return count(actor) if count is not None else 0


def menu_for(actor: Actor) -> list[tuple[Promise | str | None, list[MenuItem]]]:
    groups = []
    for group in MENU:
        items = [item for item in group.items if item.shown_to(actor)]
        if items:
            groups.append((group.label, items))
    return groups
