from accounts.services import switchable_accounts


def account_switcher(request):
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {}
    return {"switchable_accounts": switchable_accounts(request.user).only("pk", "number", "name")[:50]}
