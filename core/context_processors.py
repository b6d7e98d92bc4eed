from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.navigation import menu_for

if TYPE_CHECKING:
    from django.http import HttpRequest

    from core.actor import Actor


def portal(request: HttpRequest) -> dict[str, Any]:
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"actor": actor}
    return {"actor": actor, "menu": menu_for(actor)}
