"""The session store (core.sessions): key rotation without the reads Django's store makes."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from core import sessions

pytestmark = pytest.mark.django_db


def test_rotation_replaces_the_row_and_keeps_the_data():
    store = sessions.SessionStore()
    store["account"] = 42
    store.save()
    old = store.session_key
    store.cycle_key()
    store.save()
    assert not Session.objects.filter(session_key=old).exists()
    assert sessions.SessionStore(session_key=store.session_key)["account"] == 42


def test_a_new_key_that_collides_is_drawn_again(monkeypatch):
    taken = sessions.SessionStore()
    taken.save()
    keys = iter([taken.session_key, "z" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda *args: next(keys))
    fresh = sessions.SessionStore()
    fresh.create()
    assert fresh.session_key == "z" * 32
    assert Session.objects.count() == 2  # the taken one is untouched


def test_deleting_an_unknown_key_is_quiet():
    sessions.SessionStore().delete("does-not-exist-0000000000000000")


def test_a_rotation_writes_once_and_a_later_change_is_still_saved(django_assert_num_queries):
    store = sessions.SessionStore()
    store["account"] = 1
    store.save()
    store["account"] = 2
    with django_assert_num_queries(4):  # savepoint, insert of the new key, release, delete of the old key
        store.cycle_key()
    with django_assert_num_queries(0):
        store.save()  # what the session middleware does at the end of the request
    store["account"] = 3
    with django_assert_num_queries(3):  # savepoint, update, release
        store.save()
    assert sessions.SessionStore(session_key=store.session_key)["account"] == 3


def test_an_expired_session_is_not_loaded():
    store = sessions.SessionStore()
    store["account"] = 7
    store.save()
    assert sessions.SessionStore(session_key=store.session_key)["account"] == 7
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = sessions.SessionStore(session_key=store.session_key)
    assert "account" not in expired
    assert expired.session_key is None
