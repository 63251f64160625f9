"""The REST API root: one NinjaAPI at /api/, routers from each domain's api.py.

Authentication: a personal token (`Authorization: Bearer hl_…`) or the agent's browser session
(CSRF enforced on unsafe methods). Every error answers `{"error": {"code", "message", "details"}}`.
"""

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Router

from helpline.accounts.api import router as accounts_router
from helpline.core.api_auth import API_AUTH
from helpline.core.api_errors import install_error_handlers
from helpline.core.api_guards import guard_request
from helpline.customers.api import organizations_router
from helpline.customers.api import router as customers_router
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

api = NinjaAPI(
    title="Helpline API",
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
)
install_error_handlers(api)
api.add_decorator(guard_request, mode="view")

api.add_router("", tickets_router)
api.add_router("", ticket_settings_router)
api.add_router("", customers_router)
api.add_router("", organizations_router)
api.add_router("", accounts_router)
api.add_router("", webhooks_router)

# Unknown paths under /api/ answer in the API's error format too (added last: it matches anything).
fallback_router = Router(auth=None)


@fallback_router.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:unmatched}", include_in_schema=False)
def unmatched(request: HttpRequest, unmatched: str) -> None:
    raise Http404(unmatched)


api.add_router("", fallback_router)
