"""Print the REST API's OpenAPI schema as JSON (sorted keys, indent 2): `make schema` commits it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the OpenAPI schema of /api/ as JSON with sorted keys."

    def handle(self, *args: Any, **options: Any) -> None:
        from helpline.api import api

        schema = api.get_openapi_schema(path_prefix="/api/")
        self.stdout.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False))
