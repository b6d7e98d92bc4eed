"""A partial access: which objects of an account a partner working in it may see and manage.

A partnership with Teilzugriff (``partners``) shares single products of the customer's account: contracts,
domains, hostings, each for managing ("technisch") and/or for seeing its data and usage ("Statistik"). The
actor inside the account carries the ``Scope``; the one tenant restriction (``core.tenancy``) and the access
helper (``core.access``) apply it, so every other object of the account is missing for that actor: lists,
counts, pages and the API alike (404), whatever the templates show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.tenancy import CHANGE, VIEW


@dataclass(frozen=True)
class Scope:
    # Model label ("contracts.Contract") → primary keys the actor may see ...
    viewable: Mapping[str, frozenset[int]] = field(default_factory=dict)
    # ... and those it may change.
    manageable: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def ids(self, label: str, action: str) -> frozenset[int]:
        """The keys of ``label`` the actor may ``action``: seeing and changing only, never adding or deleting."""
        if action == VIEW:
            return self.viewable.get(label, frozenset())
        if action == CHANGE:
            return self.manageable.get(label, frozenset())
        return frozenset()

    def covers(self, label: str, action: str) -> bool:
        return bool(self.ids(label, action))
