"""The published OpenAPI schema: served at /api/openapi.json, exported deterministically."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def export() -> str:
    out = io.StringIO()
    call_command("export_openapi", stdout=out)
    return out.getvalue()


def test_export_is_deterministic_sorted_and_matches_the_served_schema() -> None:
    first, second = export(), export()
    assert first == second
    schema = json.loads(first)
    assert first.strip() == json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False)
    served = Client().get("/api/openapi.json").json()
    assert served == schema


def test_schema_lists_every_resource_and_no_secret_outputs() -> None:
    schema = json.loads(export())
    paths = set(schema["paths"])
    for path in (
        "/api/tickets",
        "/api/tickets/{number}",
        "/api/tickets/{number}/messages",
        "/api/tickets/{number}/events",
        "/api/tickets/{number}/cc",
        "/api/tickets/{number}/cc/{participant_id}",
        "/api/customers",
        "/api/organizations",
        "/api/agents",
        "/api/teams",
        "/api/tags",
        "/api/custom-fields",
        "/api/webhooks",
        "/api/webhooks/{webhook_id}/deliveries",
    ):
        assert path in paths, path
    components = schema["components"]["schemas"]
    assert not {"password", "totp_secret"} & set(components["AgentOut"]["properties"])
    assert "secret" not in components["WebhookOut"]["properties"]
    assert "secret" in components["WebhookWithSecretOut"]["properties"]
    error = components["ErrorOut"]["properties"]["error"]
    assert error == {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"401", "422"} <= set(operation["responses"]), (method, path)
