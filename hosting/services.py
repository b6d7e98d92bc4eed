"""Hosting servers: the connection test staff run before resellers depend on a server."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hosting.models import HostingServer
from plesk import errors


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str


def test_connection(server: HostingServer) -> ConnectionResult:
    """Ask the server for its info; every failure kind gets a message staff can act on."""
    try:
        with server.client(deadline=20) as client:
            info = client.test_connection()
    except ValidationError as error:
        return ConnectionResult(False, " ".join(error.messages))
    except errors.PleskAuthError:
        return ConnectionResult(False, _("The server refused the login: check login and password, or the secret key."))
    except errors.PleskTLSError as error:
        message = _("The server's certificate is not trusted (fingerprint %(fingerprint)s).")
        return ConnectionResult(False, message % {"fingerprint": error.fingerprint or "?"})
    except errors.PleskConnectionError as error:
        return ConnectionResult(False, _("The server cannot be reached: %(reason)s") % {"reason": error})
    except errors.PleskTimeout:
        return ConnectionResult(False, _("The server did not answer in time."))
    except errors.PleskResponseError:
        return ConnectionResult(False, _("The server's answer could not be read; is this a Plesk server?"))
    except errors.PleskAPIError as error:
        message = _("Plesk answered with error %(code)s: %(text)s")
        return ConnectionResult(False, message % {"code": error.errcode, "text": error.errtext})
    message = _("Connected: %(name)s, Plesk %(version)s, protocol %(protocol)s.")
    return ConnectionResult(
        True,
        message % {"name": info.server_name, "version": info.plesk_version or "?", "protocol": info.protocol_version},
    )
