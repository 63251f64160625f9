"""schemathesis against the live OpenAPI schema: every operation, generated input, never a 5xx.

The schema is loaded from the app itself (WSGI) and the requests go through the whole Django
stack in-process with an admin's API token, over a few tickets and customers so that lookups
by number or public id sometimes hit real rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.tickets import merge_actions
from helpline.webhooks import actions as webhook_actions
from tests.api.conftest import token_for
from tests.factories import make_agent, make_customer, make_team, make_ticket

pytestmark = [pytest.mark.schema, pytest.mark.django_db]

# A quick, reproducible pass by default; HELPLINE_FUZZ_EXAMPLES=200 digs deeper with fresh seeds.
MAX_EXAMPLES = int(os.environ.get("HELPLINE_FUZZ_EXAMPLES", "20"))
DERANDOMIZE = "HELPLINE_FUZZ_EXAMPLES" not in os.environ
# No task runs during the fuzzing: webhooks created by generated input must not call out.
DUMMY_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "outbound", "webhooks", "search"],
    }
}

app = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)

# Known ids of the fixture data, so generated path parameters sometimes name real objects.
KNOWN: dict[str, list[Any]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    choices = {
        name: st.sampled_from([value, *KNOWN[name]]) if KNOWN.get(name) else st.just(value)
        for name, value in path_parameters.items()
    }
    return st.fixed_dictionaries(choices)


@pytest.fixture
def fuzz_headers(settings: Any) -> Iterator[dict[str, str]]:
    settings.TASKS = DUMMY_TASKS
    # Requests run in this thread inside the test transaction: keep Django from closing the
    # connection at the end of each request (as django.test.Client does).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    admin = make_agent(Role.ADMIN)
    agent = make_agent(Role.AGENT)
    team = make_team(members=[agent])
    org = customer_actions.create_organization(actor=Actor.system(), name="Acme", domain="acme.example")
    customers = [make_customer(f"person{i}@acme.example", name=f"Person {i}") for i in range(3)]
    tickets = [
        make_ticket(customers[i % 3], subject=f"Fuzz {i}", tags=["fuzz"], assignee=agent if i % 2 else None, team=team)
        for i in range(4)
    ]
    merge_actions.link_tickets(actor=Actor.system(), source=tickets[0], target=tickets[1])
    endpoint, _secret = webhook_actions.create_endpoint(actor=Actor.of_agent(admin), url="https://example.com/hook")
    delivery = webhook_actions.queue_deliveries(
        endpoints=[endpoint], event_id=None, ticket_number=tickets[0].number, kind="created", payload={}
    )[0]
    identity = customers[0].identities.first()
    KNOWN.clear()
    KNOWN.update(
        {
            "number": [t.number for t in tickets],
            "other": [t.number for t in tickets],
            "public_id": [c.public_id for c in customers] + [org.public_id],
            "agent_id": [admin.pk, agent.pk],
            "team_id": [team.pk],
            "identity_id": [identity.pk] if identity else [],
            "webhook_id": [endpoint.pk],
            "delivery_id": [delivery.pk],
            "key": [],
        }
    )
    try:
        yield {"Authorization": f"Bearer {token_for(admin)}"}
    finally:
        KNOWN.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(case: schemathesis.Case, fuzz_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=fuzz_headers, checks=[not_a_server_error])
