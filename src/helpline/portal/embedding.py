"""Pages another site may show in an iframe (the embedded request form).

Two things differ from ordinary pages:

- They are exempt from `X-Frame-Options: DENY` (Django's `xframe_options_exempt`); every other page
  keeps refusing to be framed.
- CSRF keeps working inside a cross-site iframe. Browsers do not send `SameSite=Lax` cookies with
  requests made inside a frame on another site, so on HTTPS these pages set the CSRF cookie with
  `SameSite=None; Secure`. Trade-off: that cookie is then also sent on cross-site requests in
  general; the CSRF token in the form (which another site cannot read) remains the protection, as
  Django's design intends, and the session cookie stays `Lax`. Browsers cannot accept
  `SameSite=None` without `Secure`, so on plain HTTP (development) the cookie keeps the site-wide
  setting: embedding then works when the host page is on the same site (for example
  http://localhost:3000 framing http://localhost:8000). Browsers that block third-party cookies
  altogether (Safari by default, Firefox strict mode) refuse the cookie in the frame; the embedded
  form links to the full page form, which always works, for those visitors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_exempt


def _set_cross_site_csrf_cookie(request: HttpRequest, response: HttpResponse) -> None:
    get_token(request)  # makes sure the request has a CSRF secret
    response.set_cookie(
        settings.CSRF_COOKIE_NAME,
        request.META["CSRF_COOKIE"],
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=True,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite="None",
    )
    patch_vary_headers(response, ("Cookie",))
    # The CSRF middleware would otherwise overwrite our cookie with the site-wide attributes.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False


def embeddable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.is_secure() and not settings.CSRF_USE_SESSIONS:
            _set_cross_site_csrf_cookie(request, response)
        return response

    return xframe_options_exempt(wrapper)
