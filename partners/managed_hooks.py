"""What managed customers add to other apps' pages and to the mail helper (called from ``PartnersConfig.ready``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.actor import Actor
from core.mail import register_copy_recipients
from core.tabs import Action
from core.tenancy import DELETE
from customers.models import EndCustomer
from customers.views import CUSTOMER_ACTIONS, CUSTOMER_DELETE_OPTIONS, CUSTOMER_TAB_CARDS, DeleteOption, TabCard
from partners import managed, services
from partners.models import OPEN

Product = services.Product


def _may_open(actor: Actor, customer: EndCustomer) -> bool:
    return managed.linked_partnership(actor, customer, OPEN) is not None


def _may_end(actor: Actor, customer: EndCustomer) -> bool:
    return managed.linked_partnership(actor, customer, DELETE) is not None


def _card(categories: tuple[str, ...]) -> Callable[[Actor, EndCustomer], dict[str, Any] | None]:
    def context(actor: Actor, customer: EndCustomer) -> dict[str, Any] | None:
        partnership = managed.linked_partnership(actor, customer)
        if partnership is None:
            return None
        shared = [(label, objects) for label, objects in managed.shared_products(actor, partnership, categories)]
        return {"partnership": partnership, "shared": shared, "any": any(objects for _label, objects in shared)}

    return context


def _end_label(actor: Actor, customer: EndCustomer) -> Any:
    partnership = managed.linked_partnership(actor, customer, DELETE)
    if partnership is None:
        return None
    return _("Also end the partnership with %(customer)s (it can no longer be reached from here)") % {
        "customer": partnership.customer_account.name
    }


def _end(actor: Actor, customer: EndCustomer) -> None:
    managed.end_linked(actor, customer.pk)


def register() -> None:
    # E-Mail-Kopie: the partners that asked get copies of the customer's mail.
    register_copy_recipients(managed.copy_recipients)
    # The end customer linked to a managed customer: into its account, or end the partnership.
    CUSTOMER_ACTIONS.register(
        Action(
            "partners:endcustomer_open",
            _("Access the customer's account"),
            "box-arrow-in-right",
            _may_open,
            method="post",
        )
    )
    CUSTOMER_ACTIONS.register(
        Action(
            "partners:endcustomer_disconnect",
            _("Disconnect"),
            "x-circle",
            _may_end,
            method="post",
            confirm=_("End the partnership? You can no longer work in the customer's account; it is told by e-mail."),
        )
    )
    # Its Produkte and Domains tabs list what the partnership shares of the customer's own account.
    CUSTOMER_TAB_CARDS.append(
        TabCard(
            "customers:endcustomer_products",
            "partners/includes/shared_products.html",
            _card((Product.CONTRACT, Product.HOSTING)),
        )
    )
    CUSTOMER_TAB_CARDS.append(
        TabCard("contracts:endcustomer_domains", "partners/includes/shared_products.html", _card((Product.DOMAIN,)))
    )
    # Deleting the end customer asks whether to end the partnership too (the link goes either way).
    CUSTOMER_DELETE_OPTIONS.append(DeleteOption("end_partnership", _end_label, _end))
