"""The REST API root: one NinjaAPI at /api/, routers from each domain's api.py.

Authentication: a personal token (`Authorization: Bearer hl_…`) or the agent's browser session
(CSRF enforced on unsafe methods). Every error answers `{"error": {"code", "message", "details"}}`.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router

from helpline.accounts.api import router as accounts_router
from helpline.assist.api import router as assist_router
from helpline.core.api_auth import API_AUTH
from helpline.core.api_errors import error_response, install_error_handlers
from helpline.core.api_guards import guard_request
from helpline.customers.api import organizations_router
from helpline.customers.api import router as customers_router
from helpline.knowledge.api import router as knowledge_router
from helpline.mail.api import router as mail_router
from helpline.reports.api import router as reports_router
from helpline.tickets.api import router as tickets_router
from helpline.tickets.api import settings_router as ticket_settings_router
from helpline.webhooks.api import router as webhooks_router

API_DESCRIPTION = """\
The Helpline REST API: tickets, messages, customers, organisations, agents, teams, tags,
custom fields and outbound webhooks.

Authenticate with a personal API token from your profile page
(`Authorization: Bearer hl_…`) or, from the browser, with your session and the CSRF token.
Lists are cursor-paginated: pass the `next_cursor` of a page as `cursor` to get the next one.
Errors always look like `{"error": {"code": "...", "message": "...", "details": {...}}}`.
"""


class HelplineAPI(NinjaAPI):
    """NinjaAPI whose "method not allowed" answers are in the API's error format too."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._json_not_allowed(pattern.callback)
        return patterns

    def _json_not_allowed(self, view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)  # keeps ninja's csrf_exempt marker
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if not isinstance(response, HttpResponseNotAllowed):
                return response
            allowed = response["Allow"]
            details = {"allowed": [m.strip() for m in allowed.split(",") if m.strip()]}
            json_response = error_response(self, request, 405, "method_not_allowed", _("Method not allowed."), details)
            json_response["Allow"] = allowed
            return json_response

        return wrapped


api = HelplineAPI(
    title="Helpline API",
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
)
install_error_handlers(api)
api.add_decorator(guard_request, mode="view")

api.add_router("", tickets_router)
api.add_router("", mail_router)
api.add_router("", ticket_settings_router)
api.add_router("", customers_router)
api.add_router("", organizations_router)
api.add_router("", accounts_router)
api.add_router("", webhooks_router)
api.add_router("", reports_router)
api.add_router("", knowledge_router)
api.add_router("", assist_router)

# Unknown paths under /api/ answer in the API's error format too (added last: it matches anything).
fallback_router = Router(auth=None)


@fallback_router.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:unmatched}", include_in_schema=False)
def unmatched(request: HttpRequest, unmatched: str) -> None:
    raise Http404(unmatched)


api.add_router("", fallback_router)
