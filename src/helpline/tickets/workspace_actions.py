"""Workspace settings kept with tickets: tags, saved views and custom field definitions.

These change no ticket, so they record audit rows (settings) rather than TicketEvents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError
from helpline.tickets import permissions
from helpline.tickets.action_support import UNSET, validate_choice
from helpline.tickets.models import CustomFieldDefinition, FieldType, SavedView, Tag, Ticket

# -- tags ----------------------------------------------------------------------------------------


def create_tag(*, actor: Actor, name: str, color: str = "#6b7280") -> Tag:
    permissions.require(permissions.can_update(actor, Ticket()))
    name = name.strip().lower()[:60]
    if not name:
        raise InvalidInputError(_("A tag needs a name."), code="tag_name_required")
    with transaction.atomic():
        tag, created = Tag.objects.get_or_create(name=name, defaults={"color": color})
        if created and actor.agent is not None:
            _audit_tag(actor, tag, {"tag": {"created": name, "color": color}})
    return tag


# -- saved views and custom field definitions ----------------------------------------------------


def save_view(
    *,
    actor: Actor,
    name: str,
    filters: dict[str, Any],
    sort: str = "-updated_at",
    shared: bool = False,
    view: SavedView | None = None,
) -> SavedView:
    """Create or change a saved ticket view. Sharing a view with everyone needs a supervisor."""
    from helpline.tickets.selectors import SORTS, filter_tickets

    agent = actor.agent
    permissions.require(agent is not None and agent.is_active)
    assert agent is not None
    if shared:
        permissions.require(agent.is_supervisor_or_admin, _("Only supervisors and admins may share views."))
    if view is not None:
        permissions.require(view.owner_id == agent.pk or agent.is_supervisor_or_admin)
    if not name.strip():
        raise InvalidInputError(_("Give the view a name."), code="name_required")
    if sort not in SORTS:
        raise InvalidInputError(_("Unknown sort “%(sort)s”.") % {"sort": sort}, code="invalid_sort")
    filter_tickets(Ticket.objects.none(), filters, agent=agent)  # validates keys and values
    if view is None:
        view = SavedView(owner=agent)
    view.name, view.filters, view.sort, view.shared = name.strip()[:100], filters, sort, shared
    view.save()
    return view


def delete_view(*, actor: Actor, view: SavedView) -> None:
    agent = actor.agent
    permissions.require(agent is not None and (view.owner_id == agent.pk or agent.is_supervisor_or_admin))
    view.delete()


def define_custom_field(
    *,
    actor: Actor,
    key: str,
    label: str,
    field_type: str = FieldType.TEXT,
    choices: Sequence[str] = (),
    required: bool = False,
    active: bool = True,
    position: int = 0,
) -> CustomFieldDefinition:
    """Create or change an admin-defined ticket field (matched on `key`)."""
    permissions.require(permissions.can_manage_settings(actor), _("Only admins may define fields."))
    validate_choice(field_type, FieldType.values, _("Field type"))
    key = key.strip().lower()
    if not key or not key.replace("_", "").replace("-", "").isalnum():
        raise InvalidInputError(_("A field key uses letters, digits, - and _ only."), code="invalid_key")
    if field_type == FieldType.CHOICE and not choices:
        raise InvalidInputError(_("A choice field needs choices."), code="choices_required")
    definition, _created = CustomFieldDefinition.objects.update_or_create(
        key=key,
        defaults={
            "label": label.strip() or key,
            "field_type": field_type,
            "choices": list(choices),
            "required": required,
            "active": active,
            "position": position,
        },
    )
    from helpline.accounts.actions import record_audit
    from helpline.accounts.models import AuditAction

    record_audit(
        actor=actor.agent,
        action=AuditAction.SETTING_CHANGED,
        target=definition,
        data={"custom_field": key, "type": field_type, "required": required, "active": active},
    )
    return definition


# -- tag administration (a workspace setting: audit rows, no TicketEvents) -------------------------


def _audit_tag(actor: Actor, tag: Tag, data: dict[str, Any]) -> None:
    from helpline.accounts.actions import record_audit
    from helpline.accounts.models import AuditAction

    record_audit(actor=actor.agent, action=AuditAction.SETTING_CHANGED, target=tag, data=data)


def rename_tag(*, actor: Actor, tag: Tag, name: str = UNSET, color: str = UNSET) -> Tag:
    """Rename or recolour a tag everywhere it is used. Admins only."""
    permissions.require(permissions.can_manage_settings(actor), _("Only admins may rename tags."))
    changes: dict[str, Any] = {}
    if name is not UNSET:
        name = name.strip().lower()[:60]
        if not name:
            raise InvalidInputError(_("A tag needs a name."), code="tag_name_required")
        if name != tag.name:
            if Tag.objects.filter(name=name).exclude(pk=tag.pk).exists():
                raise ConflictError(_("A tag named %(name)s exists already.") % {"name": name}, code="tag_name_taken")
            changes["name"] = [tag.name, name]
    if color is not UNSET and color != tag.color:
        changes["color"] = [tag.color, color]
    if changes:
        with transaction.atomic():
            for attr, (_before, after) in changes.items():
                setattr(tag, attr, after)
            tag.save(update_fields=list(changes))
            _audit_tag(actor, tag, {"tag": changes})
    return tag


def delete_tag(*, actor: Actor, tag: Tag) -> int:
    """Remove a tag from every ticket and delete it. Admins only. Returns how many tickets had it."""
    permissions.require(permissions.can_manage_settings(actor), _("Only admins may delete tags."))
    with transaction.atomic():
        used_on = tag.tickets.count()
        _audit_tag(actor, tag, {"tag": {"deleted": tag.name, "tickets": used_on}})
        tag.delete()
    return used_on
