"""Generated requests against every API operation (schemathesis over our own OpenAPI schema, SECURITY-TESTS IV).

Two accounts' tokens take turns. Whatever is generated, the API answers without a server error and with what
its schema promises. ``API_FUZZ_EXAMPLES`` sets the examples per operation: CI's short pass uses the default;
the long run of issue #18 is ``API_FUZZ_EXAMPLES=250 make test ARGS=tests/test_api_fuzz.py``.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from conftest import api_client
from partnerportal.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django closes the database connection when a request through the WSGI handler ends; the test's
    transaction lives on that connection. Django's own test client holds it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    """A header of R1's owner and one of R2's owner, in turns."""
    keys = []
    for tenant in (world.r1, world.r2):
        client = api_client(tenant)
        keys.append(client.defaults["HTTP_AUTHORIZATION"])
    turn = iter(range(10**9))
    return lambda: {"Authorization": keys[next(turn) % 2]}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_generated_request_meets_a_server_error(case, bearer):
    case.call_and_validate(
        headers=bearer(), checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
    )
