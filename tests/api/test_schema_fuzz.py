"""Every GET operation of the API's own schema, fuzzed with schemathesis
in-process against the Django WSGI app, as a member's key and as the
directie's, on the demo data (members, invoices, communities, business
cases, governance): no server error, and every status code, content type,
header and body as the schema says, for valid input and for invalid input
(which must be refused with a 4xx the schema names). The schema is read at
run time, so operations added later are covered without touching this file.

Detail operations are also run on objects that exist: their path parameters
taken from the list one level up, so not only the 404 is tried.

A schema-valid request may still get a 400 problem for what no schema can
say (a lid that does not exist, a date outside a term), so schemathesis's
positive_data_acceptance check is off; that 400 must still be one the
schema names. schemathesis's pytest integration is not used: loading the
schema from a fixture fails on pytest 9 (it sets a node attribute that is
gone), and loading it at import would seed the data once per operation."""

import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from werkzeug.test import Client

from beware.accounts.models import User
from communities import demo as communities_demo
from governance import demo as governance_demo
from invoicing import demo as invoicing_demo
from membership import demo
from tests.factories import api_key

pytestmark = pytest.mark.django_db

USERS = {"lid": "eindhoven@beware.demo", "directie": "directeur@beware.demo"}
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
FUZZ = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI fails on a real finding, not on luck
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def app():
    """The project's WSGI app, less closing the database connection after
    each request: the test's transaction lives on it (PostgreSQL). Django's
    own test client does the same."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def demo_data(db):
    demo.seed_founding_situation()
    invoicing_demo.seed_rates_and_references()
    communities_demo.seed_communities()
    invoicing_demo.seed_last_years_run()
    governance_demo.seed_governance()


def existing_path_parameters(app, headers: dict[str, str], path: str) -> dict[str, str]:
    """Values for the path's parameters that name real objects: each taken
    from the first result of the list before it, by the parameter's name
    (`/facturen/{nummer}/` from `/facturen/`'s first `nummer`). Empty where
    a list has none (the generated values still run)."""
    # The fuzzed app itself: Django's test client would turn the connection closing back on.
    client = Client(app)
    values: dict[str, str] = {}
    for match in re.finditer(r"\{(\w+)\}", path):
        name = match.group(1)
        listing = path[: match.start()].format(**values)
        response = client.get(listing, headers=headers)
        results = response.json.get("results", []) if response.status_code == 200 else []
        if not results or name not in results[0]:
            return {}
        values[name] = str(results[0][name])
    return values


def negatable(operation, fixed: dict) -> bool:
    """Whether invalid input exists: a query parameter, or a generated path
    parameter with more than "any text" in its schema."""
    path = [] if fixed else [p.definition.get("schema", {}) for p in operation.path_parameters]
    return bool(list(operation.query)) or any(
        set(schema) - {"type"} or schema.get("type") != "string" for schema in path
    )


def fuzz(operation, headers: dict[str, str], **fixed) -> list[str]:
    failures = []
    modes = MODES if negatable(operation, fixed.get("path_parameters", {})) else MODES[:1]
    for mode in modes:

        @FUZZ
        @given(case=operation.as_strategy(mode, **fixed))
        def run(case):
            case.call_and_validate(headers=headers)

        try:
            run()
        except Unsatisfiable:
            pass  # nothing invalid can be sent, e.g. a path segment that only excludes "/"
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 (collect every operation's findings, then fail once)
            failures.append(f"{operation.label} ({mode.value}, {fixed or 'gegenereerd'}):\n{error}")
    return failures


@pytest.mark.parametrize("who", sorted(USERS))
def test_every_get_operation_keeps_to_the_schema(who, app, demo_data):
    key = api_key(User.objects.get(email=USERS[who]))
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])
    operations = [result.ok() for result in schema.include(method="GET").get_all_operations()]
    assert len(operations) >= 7  # facturen and documenten at least: the schema was read
    failures = []
    for operation in operations:
        failures += fuzz(operation, headers)
        existing = existing_path_parameters(app, headers, operation.path)
        if existing:
            failures += fuzz(operation, headers, path_parameters=existing)
    assert not failures, "\n\n".join(failures)
