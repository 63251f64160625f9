"""/accounts/2fa/: turning TOTP two-factor sign-in on (QR code, confirm with a code) and off."""

from __future__ import annotations

import pyotp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from helpline.accounts import actions
from helpline.accounts.audit_context import client_ip
from helpline.accounts.forms import TotpCodeForm
from helpline.accounts.models import User
from helpline.accounts.page_helpers import current_agent
from helpline.core.errors import HelplineError, RateLimitedError

ISSUER = "Helpline"


def qr_svg(uri: str) -> SafeString:
    """The otpauth URI as an inline SVG QR code (dark on white, readable in dark themes too)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=_("QR code for your authenticator app"), svgclass="qr-code"
    )
    return mark_safe(svg)  # noqa: S308 (segno escapes the title; the rest is generated path data)


def _pending_uri(agent: User) -> str:
    """The provisioning URI of a seed that is set up but not yet confirmed."""
    return pyotp.TOTP(agent.totp_secret).provisioning_uri(name=agent.username, issuer_name=ISSUER)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    agent = current_agent(request)
    step = request.POST.get("step", "")
    form = TotpCodeForm(request.POST if step in ("confirm", "disable") else None)
    status = 200
    if request.method == "POST":
        if step == "start" and not agent.totp_enabled:
            actions.start_totp_setup(actor=agent)
            return redirect("accounts:two_factor")
        if step == "confirm" and not agent.totp_enabled and agent.totp_secret:
            status = 422
            if form.is_valid():
                try:
                    actions.enable_totp(actor=agent, code=form.cleaned_data["code"])
                except HelplineError as exc:
                    form.add_error("code", exc.message)
                    status = exc.status
                else:
                    messages.success(request, _("Two-factor sign-in is on. You will be asked for a code at sign-in."))
                    return redirect("accounts:two_factor")
        elif step == "disable" and agent.totp_enabled:
            status = 422
            if form.is_valid():
                status = _disable(request, agent, form)
                if status == 302:
                    messages.success(request, _("Two-factor sign-in is off."))
                    return redirect("accounts:two_factor")
    context: dict[str, object] = {"form": form, "agent": agent, "section": "two_factor"}
    if not agent.totp_enabled and agent.totp_secret:
        uri = _pending_uri(agent)
        context.update(qr=qr_svg(uri), secret=_grouped(agent.totp_secret), uri=uri)
    return render(request, "accounts/two_factor.html", context, status=status)


def _disable(request: HttpRequest, agent: User, form: TotpCodeForm) -> int:
    """Turning two-factor off needs a current code; wrong codes count as failed sign-ins."""
    ip = client_ip(request)
    try:
        actions.check_login_allowed(username=agent.username, ip_address=ip)
    except RateLimitedError as exc:
        form.add_error("code", exc.message)
        return exc.status
    if not actions.verify_totp(agent, form.cleaned_data["code"]):
        actions.record_login_failure(username=agent.username, ip_address=ip)
        form.add_error("code", _("That code is not right."))
        return 422
    actions.disable_totp(actor=agent, agent=agent)
    return 302
