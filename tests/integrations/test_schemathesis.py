"""Schemathesis against the live OpenAPI document: for every operation, generated requests
(valid and invalid) never get a server error nor a response outside the documented schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mora.integrations.models import Scope
from mora.integrations.services import api_client_create
from tests.factories import make_account, make_invoice

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_token(transactional_db):
    from datetime import timedelta

    from django.utils import timezone

    account = make_account(number="70000001")
    make_invoice(account=account, due_date=timezone.localdate() - timedelta(days=40), amount="100.00")
    _, token = api_client_create(actor=None, name="schemathesis", scopes=list(Scope.values))
    return token


@pytest.fixture
def api_schema(live_server, api_token):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case, api_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)
