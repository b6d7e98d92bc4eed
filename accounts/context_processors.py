from accounts.services import MENU_SIZE, switchable_accounts


def account_switcher(request):
    """The header's account menu. A callable, so the query is built only when a template shows the menu
    (fragments such as htmx answers do not)."""
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {}

    def accounts():
        # A member's accounts came with the actor's membership (accounts.middleware); staff's are all of them.
        member_accounts = getattr(request, "member_accounts", None)
        if member_accounts is not None:
            return member_accounts
        return switchable_accounts(request.user).only("pk", "number", "name")[:MENU_SIZE]

    return {"switchable_accounts": accounts}
