"""Fixtures of the portal app's tests."""

import pytest

from portal.tests.template_fixtures import make_template


@pytest.fixture
def media():
    """Where the uploads go: Django's default storage (in memory for the tests, see settings_test)."""
    from django.core.files.storage import default_storage

    return default_storage


@pytest.fixture
def templates(world):
    """R1's template (with a stored SMTP password) and R2's."""
    return (
        make_template(world.r1.account, "kunden.r1-agentur.test"),
        make_template(world.r2.account, "kunden.r2-agentur.test", portal_name="ZWEI Portal"),
    )
