"""The dashboard's member figures (registered in ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Membership
from core.dashboard import Figure

if TYPE_CHECKING:
    from core.actor import Actor


def member_figures(actor: Actor) -> list[Figure]:
    """One query: the members of the account."""
    return [Figure(_("in total"), Membership.objects.restrict(actor).count(), reverse("accounts:membership_list"))]
