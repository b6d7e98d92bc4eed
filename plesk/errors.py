"""Exceptions of the Plesk client.

Two families, because the caller must react differently:

* ``PleskAPIError``: Plesk answered and refused (``status=error`` with ``errcode``/``errtext``).
  The operation was not carried out.
* ``PleskTransportError``: no usable answer. Its two subclasses say whether the request may have
  been processed:

  * ``PleskConnectionError``: nothing reached the server (refused, DNS, TLS refused). Safe to retry.
  * ``PleskOutcomeUnknown``: the request was sent, but no usable answer came back (deadline,
    reset, malformed or oversized answer). The caller must read the server state (e.g. look the
    object up by ``external-id``) before trying to create anything again.
"""

from __future__ import annotations


class PleskError(Exception):
    """Base class of every error raised by the ``plesk`` package."""


class PleskAPIError(PleskError):
    """Plesk refused the operation (or the whole packet, when ``system`` is true).

    ``errcode`` is the number to act on; ``errtext`` is Plesk's localised text, for display and logs
    only. ``filter_id`` is the filter value the error belongs to, when Plesk reported one.
    ``http_status`` is the HTTP status of the answer that carried the error: a 5xx means the server
    faulted, and the operation may or may not have been carried out.
    """

    http_status: int = 200

    def __init__(
        self,
        errcode: int,
        errtext: str,
        *,
        system: bool = False,
        operation: str | None = None,
        filter_id: str | None = None,
    ) -> None:
        self.errcode = errcode
        self.errtext = errtext
        self.system = system
        self.operation = operation
        self.filter_id = filter_id
        where = "packet" if system else (operation or "operation")
        super().__init__(f"Plesk error {errcode} ({where}): {errtext}")


class PleskAuthError(PleskAPIError):
    """The credentials were refused (1001, 1010, 1011, 1012, 1029, 11003). Do not retry in a loop:
    Plesk may ban the source IP after repeated failed logins."""


class PleskPermissionDenied(PleskAPIError):
    """The login may not perform this operation (1006)."""


class PleskVersionError(PleskAPIError):
    """The server does not support the requested protocol version (1005, 1017)."""


class PleskNotFound(PleskAPIError):
    """The object does not exist or is outside the login's scope (1013)."""


class PleskAlreadyExists(PleskAPIError):
    """The object (login, domain, external id, ...) already exists (1002 or 1007)."""


class PleskParserError(PleskAPIError):
    """Plesk could not parse or schema-validate the request (1014). A bug in the client, not in the data."""


class PleskOwnerNotFound(PleskAPIError):
    """The owner given for a new object does not exist (1015)."""


class PleskLimitExceeded(PleskAPIError):
    """A limit was reached: the reseller's package has no room left for the plan, subscription or customer
    (1024). ``errtext`` names the limits."""


AUTH_ERRCODES = frozenset({1001, 1010, 1011, 1012, 1029, 11003})
ALREADY_EXISTS_ERRCODES = frozenset({1002, 1007})

_ERRCODE_CLASSES: dict[int, type[PleskAPIError]] = {
    **dict.fromkeys(AUTH_ERRCODES, PleskAuthError),
    **dict.fromkeys(ALREADY_EXISTS_ERRCODES, PleskAlreadyExists),
    1005: PleskVersionError,
    1006: PleskPermissionDenied,
    1013: PleskNotFound,
    1014: PleskParserError,
    1015: PleskOwnerNotFound,
    1017: PleskVersionError,
    1024: PleskLimitExceeded,
}


def api_error(
    errcode: int,
    errtext: str,
    *,
    system: bool = False,
    operation: str | None = None,
    filter_id: str | None = None,
) -> PleskAPIError:
    """Return the most specific ``PleskAPIError`` subclass instance for ``errcode``."""
    cls = _ERRCODE_CLASSES.get(errcode, PleskAPIError)
    return cls(errcode, errtext, system=system, operation=operation, filter_id=filter_id)


class PleskTransportError(PleskError):
    """No usable answer from the server; see the subclasses for whether the request was processed."""


class PleskConnectionError(PleskTransportError):
    """Nothing reached the server: connection refused, DNS failure, connect timeout, TLS refused."""


class PleskTLSError(PleskConnectionError):
    """The server's certificate was refused before anything was sent.

    ``fingerprint`` is the SHA-256 fingerprint of the certificate the server presented (colon-separated
    upper-case hex), when it could be read, so staff can compare it and pin it.
    """

    def __init__(self, message: str, *, fingerprint: str | None = None) -> None:
        self.fingerprint = fingerprint
        super().__init__(message)


class PleskOutcomeUnknown(PleskTransportError):
    """The request was sent but no usable answer arrived; it may or may not have been processed."""


class PleskTimeout(PleskOutcomeUnknown):
    """The read timeout or the overall deadline of the call expired after the request was sent."""


class PleskResponseError(PleskOutcomeUnknown):
    """The server answered, but the answer is unusable: malformed XML, a DOCTYPE, too large,
    an unexpected structure, or an HTTP error status without a parseable Plesk packet."""
