"""Template context shared by every page: languages, the signed-in agent and the current nav section."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from helpline.accounts.middleware import TWO_FACTOR_PENDING

_SECTION_PREFIXES = (
    ("ticket", "tickets"),
    ("view", "tickets"),
    ("customer", "customers"),
    ("organization", "customers"),
)


def desk_agent(request: HttpRequest) -> Any:
    """The agent behind the request, or None (anonymous, inactive, or second sign-in step pending)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    session = getattr(request, "session", None)
    if session is not None and session.get(TWO_FACTOR_PENDING):
        return None
    return user


def helpline(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    section = ""
    if match is not None and match.namespace == "admin_ui":
        section = "admin"
    elif match is not None and match.namespace == "web":
        name = match.url_name or ""
        section = "search" if name == "search" else next((s for p, s in _SECTION_PREFIXES if name.startswith(p)), "")
    return {
        "HELPLINE_LANGUAGES": settings.LANGUAGES,
        "SITE_URL": settings.SITE_URL,
        "desk_agent": desk_agent(request),
        "desk_section": section,
        "desk_query": request.GET.get("q", "") if section == "search" else "",
    }
