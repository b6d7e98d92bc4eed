from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from users.models import normalize_email


def find_login_user(login: str):
    """The user a login name means: an e-mail address (normalised) or a username (case-insensitive)."""
    User = get_user_model()
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return User.objects.filter(email=normalize_email(login)).first()
    return User.objects.filter(username__iexact=login).first()


def axes_username(request, credentials):
    """Throttle by the user a login means, so e-mail and username count as one."""
    login = (credentials or {}).get("username", "")
    user = find_login_user(login)
    return user.username.lower() if user else login.strip().casefold()[:150]


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_login_user(username)
        if user is None:
            # Same cost as a real check, so timing does not tell which logins exist.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
