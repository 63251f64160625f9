"""Greetings on a customer's special date (a birthday, an anniversary) for customers who opted in
(the customer attribute `greetings_opt_in`, set by the customer on their portal profile or by an
agent on the customer or ticket page, through customers.actions.set_special_date_greeting).

The admin picks the customer attribute that holds the date ("YYYY-MM-DD" or "MM-DD") and writes the
greeting per language. The sweep sends it from 09:00 on that day in the customer's time zone, once a
year: a unique (customer, attribute, year) row is claimed before the email goes, so two workers
sweeping at once still send it exactly once. 29 February is greeted on 28 February in other years.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.customers.models import GREETINGS_OPT_IN as OPT_IN_ATTRIBUTE
from helpline.customers.models import Customer
from helpline.portal.branding import brand_name, customer_language
from helpline.workflow.call_log import desk_settings, template_for
from helpline.workflow.models import FollowUpSettings, GreetingSent
from helpline.workflow.sla_actions import _audit, _require_admin

log = logging.getLogger("helpline.workflow")

SEND_FROM = dt.time(9, 0)
ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
PLACEHOLDER = re.compile(r"\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}")
GREETING_PLACEHOLDERS = ("customer.name", "customer.first_name")


# -- settings and opt-in ---------------------------------------------------------------------------


def check_templates(templates: dict[str, str], *, known: tuple[str, ...], attributes: bool = True) -> dict[str, str]:
    """Language variants keyed by a desk language; unknown placeholders refused by name."""
    languages = {code for code, _name in settings.LANGUAGES}
    cleaned: dict[str, str] = {}
    for language, text in (templates or {}).items():
        if language not in languages:
            raise InvalidInputError(
                _("“%(code)s” is not one of the desk's languages.") % {"code": language}, code="invalid_language"
            )
        for name in PLACEHOLDER.findall(text or ""):
            if name in known or (attributes and name.startswith("customer.attribute.")):
                continue
            raise InvalidInputError(
                _("Unknown placeholder “{{ %(name)s }}”. Known: %(known)s, customer.attribute.<key>.")
                % {"name": name, "known": ", ".join(known)},
                code="unknown_placeholder",
            )
        if (text or "").strip():
            cleaned[language] = text.strip()
    return cleaned


def save_follow_up_settings(
    *,
    actor: Actor,
    call_confirmation_enabled: bool,
    call_confirmation_templates: dict[str, str],
    call_confirmation_prefer_sms: bool,
    greeting_enabled: bool,
    greeting_attribute: str,
    greeting_templates: dict[str, str],
) -> FollowUpSettings:
    from helpline.workflow.placeholders import VALUES

    _require_admin(actor)
    call_templates = check_templates(call_confirmation_templates, known=tuple(sorted(VALUES)))
    greetings = check_templates(greeting_templates, known=GREETING_PLACEHOLDERS)
    attribute = (greeting_attribute or "").strip()
    if attribute and not ATTRIBUTE_KEY.match(attribute):
        raise InvalidInputError(
            _("The date attribute must be a key of lowercase letters, digits and underscores, e.g. birthday."),
            code="invalid_attribute",
        )
    if greeting_enabled and not attribute:
        raise InvalidInputError(_("Choose the customer attribute that holds the date."), code="attribute_required")
    if greeting_enabled and not greetings:
        raise InvalidInputError(_("Write the greeting in at least one language."), code="template_required")
    with transaction.atomic():
        config = desk_settings()
        config.call_confirmation_enabled = call_confirmation_enabled
        config.call_confirmation_templates = call_templates
        config.call_confirmation_prefer_sms = call_confirmation_prefer_sms
        config.greeting_enabled = greeting_enabled
        config.greeting_attribute = attribute
        config.greeting_templates = greetings
        config.save()
        _audit(actor, config, {"call_confirmation": call_confirmation_enabled, "greeting": greeting_enabled})
        cache.delete(OFFER_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(OFFER_CACHE_KEY))
    return config


OFFER_CACHE_KEY = "helpline:workflow:greeting-attribute"


def offered_attribute() -> str:
    """The customer attribute holding the date greeted on, when the desk sends greetings; else "".
    Read on every ticket and customer page, so cached (a minute at most; cleared when saved)."""
    cached = cache.get(OFFER_CACHE_KEY)
    if cached is None:
        config = FollowUpSettings.objects.filter(pk=1).only("greeting_enabled", "greeting_attribute").first()
        cached = config.greeting_attribute if config is not None and config.greeting_enabled else ""
        cache.set(OFFER_CACHE_KEY, cached, 60)
    return str(cached)


def is_opted_in(customer: Customer) -> bool:
    value = (customer.custom_attributes or {}).get(OPT_IN_ATTRIBUTE)
    return value is True or str(value).strip().lower() in {"true", "yes", "1"}


def special_date_of(customer: Customer, attribute: str) -> dt.date | None:
    """The stored special date as a date (a year-less "MM-DD" reads as that day in 2000)."""
    value = str((customer.custom_attributes or {}).get(attribute) or "").strip() if attribute else ""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return special_day(value, 2000)


def set_greeting_opt_in(*, actor: Actor, customer: Customer, opted_in: bool, date: dt.date | None = None) -> bool:
    """Record the customer's choice (and the date), given to an agent or in the portal."""
    from helpline.customers import actions as customer_actions

    attribute = desk_settings().greeting_attribute
    customer_actions.set_special_date_greeting(
        actor=actor, customer=customer, opted_in=opted_in, date_attribute=attribute, date=date
    )
    return opted_in


# -- the daily pass ---------------------------------------------------------------------------------


def special_day(value: object, year: int) -> dt.date | None:
    """The date to greet on in `year`, from "YYYY-MM-DD", "MM-DD" or "--MM-DD"; None when unreadable."""
    text = str(value or "").strip()
    match = re.fullmatch(r"(?:\d{4}-|--)?(\d{1,2})-(\d{1,2})", text)
    if match is None:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    if month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _zone(customer: Customer) -> ZoneInfo:
    try:
        return ZoneInfo(customer.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def render_greeting(template: str, customer: Customer) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "customer.name":
            return str(customer)
        if name == "customer.first_name":
            return (customer.name or "").strip().split(" ")[0] or str(customer)
        if name.startswith("customer.attribute."):
            return str((customer.custom_attributes or {}).get(name.removeprefix("customer.attribute."), ""))
        return ""

    return PLACEHOLDER.sub(value, template)


def run_greetings(now: dt.datetime) -> int:
    """Send today's greetings that are due; returns how many this call sent."""
    config = FollowUpSettings.objects.filter(pk=1).first()
    if config is None or not config.greeting_enabled or not config.greeting_attribute:
        return 0
    attribute = config.greeting_attribute
    sent = 0
    opted = Customer.objects.filter(custom_attributes__has_key=OPT_IN_ATTRIBUTE, merged_into__isnull=True)
    for customer in opted.prefetch_related("identities").iterator(chunk_size=500):
        if not is_opted_in(customer):
            continue
        local = now.astimezone(_zone(customer))
        day = special_day((customer.custom_attributes or {}).get(attribute), local.year)
        if day != local.date() or local.time() < SEND_FROM:
            continue
        try:
            with transaction.atomic():
                claim = GreetingSent.objects.create(customer=customer, attribute=attribute, year=day.year, sent_at=now)
        except IntegrityError:
            continue  # already sent this year (or another worker is sending it right now)
        sent += _send(config, customer, claim)
    return sent


def _send(config: FollowUpSettings, customer: Customer, claim: GreetingSent) -> int:
    language = customer_language(customer)
    body = render_greeting(template_for(config.greeting_templates, language), customer)
    email = customer.email
    if not email:
        claim.error = "the customer has no email address"
        claim.save(update_fields=["error"])
        return 0
    with translation.override(language):
        subject = _("Best wishes from %(brand)s") % {"brand": brand_name()}
    try:
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email]).send()
    except Exception as exc:  # the claim stays: a greeting is never sent twice
        log.warning("greeting to customer %s failed: %s", customer.pk, exc)
        claim.error = str(exc)[:500]
        claim.save(update_fields=["error"])
        return 0
    claim.channel = "email"
    claim.save(update_fields=["channel"])
    return 1
