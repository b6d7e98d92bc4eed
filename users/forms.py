from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from users.models import APIToken, normalize_email


class NormalizedEmailField(forms.EmailField):
    """An e-mail field that validates the canonical form (NFKC, case-folded), not the raw input."""

    def to_python(self, value):
        return normalize_email(super().to_python(value))


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    username = forms.CharField(label=_("Username or e-mail"), max_length=254)

    error_messages = {
        "invalid_login": _("Please enter a correct username or e-mail and password."),
        "inactive": _("Please enter a correct username or e-mail and password."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autofocus=True, autocomplete="username")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # End customers' portal users log into their reseller's portal, never here;
        # the message is the generic one, so it tells nobody which logins exist.
        if hasattr(user, "portal_user"):
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class OTPForm(BootstrapFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isascii() or not token.isdigit():
            raise forms.ValidationError(_("Please enter the six-digit code."))
        return token


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordResetForm(BootstrapFormMixin, forms.Form):
    email = NormalizedEmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def users(self):
        """Active users with exactly this (normalised) address; look-alikes never match. Portal users reset
        their password on their reseller's portal, which mails them a link to it."""
        email = self.cleaned_data["email"]
        return [
            user
            for user in get_user_model().objects.filter(email=email, is_active=True, portal_user__isnull=True)
            if user.has_usable_password() or not user.password
        ]


class ProfileForm(BootstrapFormMixin, forms.ModelForm):
    current_password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Needed only when you change your e-mail address."),
    )

    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email"]
        field_classes = {"email": NormalizedEmailField}

    def clean_email(self):
        email = self.cleaned_data["email"]
        others = get_user_model().objects.filter(email=email).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError(_("This e-mail address is already in use."))
        return email

    def clean(self):
        cleaned = super().clean()
        if "email" in self.changed_data and not self.instance.check_password(cleaned.get("current_password") or ""):
            self.add_error("current_password", _("Your password was entered incorrectly."))
        return cleaned


class PasswordConfirmForm(BootstrapFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your password was entered incorrectly."))
        return password


class APITokenForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = APIToken
        fields = ["name"]


class SignupForm(BootstrapFormMixin, forms.ModelForm):
    """Account creation for an invited person who has no login yet."""

    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password confirmation"), strip=False, widget=forms.PasswordInput)

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        elif cleaned.get("password1"):
            try:
                password_validation.validate_password(cleaned["password1"], self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
