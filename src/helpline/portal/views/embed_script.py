"""The script a host site includes to show the request form in an iframe, and its help page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from helpline.portal.views.common import render_portal

SCRIPT_MAX_AGE = 3600


@require_GET
def embed_script(request: HttpRequest) -> HttpResponse:
    body = render_to_string("portal/embed.js", {"embed_path": reverse("portal:embed")})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def embed_help(request: HttpRequest) -> HttpResponse:
    script_url = request.build_absolute_uri(reverse("portal:embed_script"))
    return render_portal(
        request,
        "portal/embed_help.html",
        {"script_url": script_url, "embed_url": request.build_absolute_uri(reverse("portal:embed"))},
    )
