from typing import Any

from django.conf import settings
from django.http import HttpRequest


def helpline(request: HttpRequest) -> dict[str, Any]:
    return {"HELPLINE_LANGUAGES": settings.LANGUAGES, "SITE_URL": settings.SITE_URL}
