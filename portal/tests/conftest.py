"""Fixtures of the portal app's tests."""

import pytest

from portal.tests.template_fixtures import make_template


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def templates(world, media):
    """R1's template (with a stored SMTP password) and R2's."""
    return (
        make_template(world.r1.account, "kunden.r1-agentur.test"),
        make_template(world.r2.account, "kunden.r2-agentur.test", portal_name="ZWEI Portal"),
    )
