from accounts.services import switchable_accounts


def account_switcher(request):
    """The header's account menu. A callable, so the query is built only when a template shows the menu
    (fragments such as htmx answers do not)."""
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {}

    def accounts():
        return switchable_accounts(request.user).only("pk", "number", "name")[:50]

    return {"switchable_accounts": accounts}
