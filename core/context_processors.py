from core.navigation import menu_for


def portal(request):
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"actor": actor}
    return {"actor": actor, "menu": menu_for(actor)}
