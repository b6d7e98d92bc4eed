"""What went wrong talking to Plesk, in words staff and resellers can act on."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plesk import errors


def describe_failure(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, errors.PleskAuthError):
        return _("The server refused the login: check login and password, or the secret key.")
    if isinstance(error, errors.PleskTLSError):
        message = _("The server's certificate is not trusted (fingerprint %(fingerprint)s).")
        return message % {"fingerprint": error.fingerprint or "?"}
    if isinstance(error, errors.PleskConnectionError):
        return _("The server cannot be reached: %(reason)s") % {"reason": error}
    if isinstance(error, errors.PleskTimeout):
        return _("The server did not answer in time.")
    if isinstance(error, errors.PleskResponseError):
        return _("The server's answer could not be read; is this a Plesk server?")
    if isinstance(error, errors.PleskAPIError):
        message = _("Plesk answered with error %(code)s: %(text)s")
        return message % {"code": error.errcode, "text": error.errtext}
    return str(error)
