from django.utils.functional import SimpleLazyObject

from accounts.services import MENU_SIZE, switchable_accounts


def account_switcher(request):
    """The header's account menu: the first ``MENU_SIZE`` accounts the user may switch to, by number.

    Read when a template first shows it, so answers without the header (htmx fragments) pay nothing for it.
    """
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {}

    def menu():
        return list(switchable_accounts(actor.user).only("pk", "number", "name")[:MENU_SIZE])

    return {"switchable_accounts": SimpleLazyObject(menu)}
