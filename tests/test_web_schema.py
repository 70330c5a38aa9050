"""Property test of the JSON API against its own OpenAPI schema: no request gives a 500."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from monitor.web import create_app
from tests.web_helpers import build_store, cheap_hashing  # noqa: F401

OFFICER = {"officer": ("officer", None), "zhkh": ("recipient", "minzhkh")}


@pytest.fixture
def web_store(db_url, cheap_hashing):  # noqa: F811
    store = build_store(db_url, users=OFFICER)
    yield store
    store.ctx.engine.dispose()


@pytest.fixture
def api_schema(web_store):
    app = create_app(web_store.ctx, secret="schema-test")
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_request_gives_a_server_error(case, web_store):
    # Half the requests as a recipient user, whose scope must hold for any input too.
    user = "zhkh" if hash(repr(case.path_parameters)) % 2 else "officer"
    case.call_and_validate(
        headers={"Authorization": f"Bearer {web_store.tokens[user]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
