import hashlib
import secrets
import unicodedata
from collections.abc import Callable

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.text import validate_plain_text


def normalize_email(address: str) -> str:
    """One canonical form for login and reset: NFKC, case-folded, trimmed.

    Look-alikes such as full-width letters collapse onto the address they
    imitate, so they hit the uniqueness check instead of a second account.
    """
    return unicodedata.normalize("NFKC", address or "").strip().casefold()


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser):
    email = models.EmailField(_("e-mail address"), blank=True)
    # Names appear in lists, exports, mails and the activity list of other accounts: no control characters.
    first_name = models.CharField(_("first name"), max_length=150, blank=True, validators=[validate_plain_text])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[validate_plain_text])

    objects = PortalUserManager()
    # Set on the request's user by django_otp's OTPMiddleware: whether this session passed two-factor login.
    is_verified: Callable[[], bool]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(fields=["email"], condition=~models.Q(email=""), name="user_email_unique"),
        ]

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


TOKEN_PREFIX = "pp_"  # noqa: S105 (a prefix, not a secret)


class APIToken(models.Model):
    """A personal API token, owned by its user, acting in one account with the user's current role there.

    Only a SHA-256 of the token is stored. A password hasher would make every
    API call pay for a key stretch; the token has 256 bits of entropy, so a
    fast hash is enough. Rights are never stored here: each call re-reads the
    user's membership, so a demotion or removal takes effect at once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("token prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def issue_key(self) -> str:
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix = key[: len(TOKEN_PREFIX) + 6]
        self.key_hash = self.hash_key(key)
        return key
