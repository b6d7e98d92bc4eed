"""The database session store, with key rotation one round trip cheaper each way.

Keys are rotated at login, account switch and service-access switch. Django's
store reads a row before deleting it and checks a new random key for existence
before inserting it; neither read is needed: the delete goes by key, and the
insert of a new key (``must_create``) fails on a collision, which ``create()``
answers with a new key.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is not None:
            # A keyed instance deletes in one statement (no read, no transaction around it).
            self.model(session_key=session_key).delete()

    # The key and serialized data of this store's last write. A key rotation
    # writes the new row at once (``create``); when the data has not changed
    # since, the middleware's save at the end of the request writes nothing.
    _written = None

    def save(self, must_create=False):
        if not must_create and self.session_key is not None and self._written == self._fingerprint():
            return
        super().save(must_create)
        self._written = self._fingerprint()

    def _fingerprint(self):
        return self.session_key, self.serializer().dumps(self._session)
