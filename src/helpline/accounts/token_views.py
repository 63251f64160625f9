"""/accounts/tokens/: an agent's personal API tokens. The secret is shown once, right after creation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from helpline.accounts import actions, selectors
from helpline.accounts.forms import TokenCreateForm
from helpline.accounts.page_helpers import current_agent, submit_form
from helpline.core.errors import HelplineError


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The list and the form; a successful POST answers with the one page that shows the secret.

    The secret is never stored: it is rendered into that response (not cached, not redirected to),
    so it cannot be shown again; reloading would ask to send the form again, making a new token.
    """
    agent = current_agent(request)
    form = TokenCreateForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        token, secret = actions.create_api_token(actor=agent, name=data["name"], expires_at=form.expires_at())
        return render(request, "accounts/token_created.html", {"token": token, "secret": secret, "section": "tokens"})

    done, status = submit_form(request, form, save, error_field="name")
    if done is not None:
        return done
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": selectors.tokens_of(agent), "now": timezone.now(), "section": "tokens"},
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    agent = current_agent(request)
    token = get_object_or_404(selectors.tokens_of(agent), pk=pk)
    try:
        actions.revoke_api_token(actor=agent, token=token)
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
