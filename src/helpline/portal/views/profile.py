"""The signed-in customer's own profile: name, language, time zone and, when the desk sends them,
greetings on a special date (opt-in and the date)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from helpline.core.errors import HelplineError
from helpline.core.timezones import known_time_zones
from helpline.customers.models import Customer
from helpline.portal import actions
from helpline.portal.auth import customer_required
from helpline.portal.forms import ProfileForm
from helpline.portal.views.common import add_action_error, render_portal
from helpline.workflow.greetings import is_opted_in, offered_attribute, special_date_of

_FIELD_FOR_CODE = {
    "invalid_language": "language",
    "invalid_time_zone": "time_zone",
    "special_date_required": "special_date",
}


@customer_required
def profile(request: HttpRequest, customer: Customer) -> HttpResponse:
    attribute = offered_attribute()
    if request.method == "POST":
        form = ProfileForm(request.POST, greetings=bool(attribute))
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_profile(
                    customer=customer,
                    name=data["name"],
                    language=data["language"],
                    time_zone=data["time_zone"],
                    greeting_attribute=attribute,
                    greetings_opt_in=bool(data.get("greetings_opt_in")),
                    special_date=data.get("special_date"),
                )
            except HelplineError as exc:
                field = _FIELD_FOR_CODE.get(exc.code)
                if field in form.fields:
                    form.add_error(field, exc.message)
                else:
                    add_action_error(form, exc)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("portal:profile")
        return render_portal(request, "portal/profile.html", _context(form), status=422)
    form = ProfileForm(
        greetings=bool(attribute),
        initial={
            "name": customer.name,
            "language": customer.language,
            "time_zone": customer.time_zone,
            "greetings_opt_in": is_opted_in(customer),
            "special_date": special_date_of(customer, attribute),
        },
    )
    return render_portal(request, "portal/profile.html", _context(form))


def _context(form: ProfileForm) -> dict[str, object]:
    return {"form": form, "time_zones": sorted(known_time_zones())}
