"""Macros: save (validated), render for the composer (language variant, placeholders), apply."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import CustomFieldDefinition, MessageKind, Ticket
from helpline.workflow import effects
from helpline.workflow.models import Macro
from helpline.workflow.placeholders import check_template, customer_language, render


def macros_for(agent: User) -> QuerySet[Macro]:
    return Macro.objects.filter(Q(owner__isnull=True) | Q(owner=agent), active=True).order_by("name", "id")


def save_macro(
    *,
    actor: Actor,
    name: str,
    body: str = "",
    variants: dict[str, str] | None = None,
    actions: Any = (),
    shared: bool = True,
    active: bool = True,
    macro: Macro | None = None,
) -> Macro:
    if actor.agent is None:
        raise NotPermittedError(_("Only agents have macros."))
    if shared and not actor.agent.is_admin:
        raise NotPermittedError(_("Only admins may manage shared macros."))
    if macro is not None and macro.owner_id not in (None, actor.agent.pk):
        raise NotPermittedError(_("This macro belongs to someone else."))
    if macro is not None and macro.owner_id is None and not actor.agent.is_admin:
        raise NotPermittedError(_("Only admins may manage shared macros."))
    name = (name or "").strip()
    if not name:
        raise InvalidInputError(_("The macro needs a name."), code="name_required")
    known = set(CustomFieldDefinition.objects.values_list("key", flat=True))
    variants = {str(k).strip(): str(v) for k, v in (variants or {}).items() if str(k).strip() and str(v).strip()}
    for text in [body, *variants.values()]:
        check_template(text, known_fields=known)
    cleaned = effects.clean_effects(list(actions or []), known_custom_fields=known, allowed=effects.MACRO_EFFECT_TYPES)
    if not body.strip() and not variants and not cleaned:
        raise InvalidInputError(_("The macro needs a reply text or an action."), code="macro_empty")
    record = macro or Macro()
    record.name, record.body, record.variants, record.actions, record.active = (
        name[:100],
        body,
        variants,
        cleaned,
        active,
    )
    record.owner = None if shared else actor.agent
    with transaction.atomic():
        if Macro.objects.filter(name=record.name, owner=record.owner).exclude(pk=record.pk).exists():
            raise InvalidInputError(_("A macro with this name exists."), code="name_taken")
        record.save()
    return record


def render_macro(*, macro: Macro, ticket: Ticket, agent: User | None) -> str:
    """The reply text in the customer's language, placeholders filled, for the composer."""
    return render(macro.body_for(customer_language(ticket)), ticket=ticket, agent=agent)


def apply_macro(*, actor: Actor, ticket: Ticket, macro: Macro, send_reply: bool = False) -> str:
    """Perform the macro's ticket changes; with `send_reply` also send its reply. Returns the text."""
    if actor.agent is not None and macro.owner_id not in (None, actor.agent.pk):
        raise NotPermittedError(_("This macro belongs to someone else."))
    text = render_macro(macro=macro, ticket=ticket, agent=actor.agent or ticket.assignee)
    with transaction.atomic():
        for effect in macro.actions:
            effects.perform(effect, ticket=ticket, actor=actor)
        if send_reply and text.strip():
            ticket_actions.add_message(actor=actor, ticket=ticket, kind=MessageKind.REPLY, body_text=text)
    return text


def set_macro_active(*, actor: Actor, macro: Macro, active: bool) -> Macro:
    """Switch a macro on or off (its owner, or an admin for shared ones)."""
    if actor.agent is None:
        raise NotPermittedError(_("Only agents have macros."))
    if macro.owner_id is None and not actor.agent.is_admin:
        raise NotPermittedError(_("Only admins may manage shared macros."))
    if macro.owner_id not in (None, actor.agent.pk):
        raise NotPermittedError(_("This macro belongs to someone else."))
    if macro.active != active:
        macro.active = active
        macro.save(update_fields=["active", "updated_at"])
    return macro
