import pytest
from django.conf import settings
from django.utils import translation

from hosting.tests.helpers import ADMIN_PW, RESELLER_PW
from plesk.sandbox import SandboxServer


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language: a request in German leaves German active in the thread, and
    what a job writes or mails afterwards would be German."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def sandbox():
    """A sandbox Plesk on a free loopback port, seeded with the demo reseller (password ``RESELLER_PW``)."""
    with SandboxServer("127.0.0.1", 0, admin_password=ADMIN_PW, seed_demo=True, reseller_password=RESELLER_PW) as s:
        yield s
