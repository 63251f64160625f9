"""Forms of the ticket page and the new-ticket page. They parse input; the actions decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helpline.accounts.models import Team, User
from helpline.core.errors import HelplineError
from helpline.customers.models import Channel
from helpline.tickets.models import CustomFieldDefinition, FieldType, MessageKind, Priority, Status, Ticket, TicketType

CF_PREFIX = "cf_"
AGENT_KINDS = [(MessageKind.REPLY.value, _("Public reply")), (MessageKind.NOTE.value, _("Internal note"))]
# Channels an agent may record a ticket as coming from when opening it for a customer.
AGENT_CHANNELS = [
    (c.value, c.label)
    for c in (Channel.PHONE, Channel.EMAIL, Channel.CHAT, Channel.WEB, Channel.POST, Channel.SMS, Channel.AGENT)
]


def add_action_error(form: forms.Form, exc: HelplineError) -> None:
    """Put an action's error on the form: per custom field when the action says which, else on top."""
    field_errors = exc.details.get("fields") if isinstance(exc.details, dict) else None
    placed = False
    if isinstance(field_errors, dict):
        for key, message in field_errors.items():
            name = CF_PREFIX + str(key)
            if name in form.fields:
                form.add_error(name, str(message))
                placed = True
    if not placed:
        form.add_error(None, exc.message)


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in value.replace(";", ",").split(",") if t.strip()]


def custom_form_field(definition: CustomFieldDefinition) -> forms.Field:
    label = definition.label
    kind = definition.field_type
    if kind == FieldType.NUMBER:
        return forms.CharField(
            label=label, required=False, widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
        )
    if kind == FieldType.DATE:
        return forms.CharField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if kind == FieldType.CHOICE:
        choices = [("", "—"), *((str(c), str(c)) for c in definition.choices)]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(label=label, required=False)
    return forms.CharField(label=label, required=False, max_length=2000)


def _agent_choices(agents: Sequence[User]) -> list[tuple[str, str]]:
    return [("", str(_("Unassigned"))), *((str(a.pk), str(a)) for a in agents)]


def _team_choices(teams: Sequence[Team]) -> list[tuple[str, str]]:
    return [("", str(_("No team"))), *((str(t.pk), t.name) for t in teams)]


class TicketPropertiesForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    ticket_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *TicketType.choices], required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas."), widget=forms.TextInput()
    )

    def __init__(
        self,
        *args: Any,
        ticket: Ticket,
        agents: Sequence[User],
        teams: Sequence[Team],
        definitions: Sequence[CustomFieldDefinition],
        tag_names: Sequence[str],
        **kwargs: Any,
    ) -> None:
        self.ticket = ticket
        self.definitions = list(definitions)
        self.agents = {str(a.pk): a for a in agents}
        self.teams = {str(t.pk): t for t in teams}
        initial: dict[str, Any] = {
            "status": ticket.status,
            "priority": ticket.priority,
            "ticket_type": ticket.ticket_type,
            "assignee": str(ticket.assignee_id or ""),
            "team": str(ticket.team_id or ""),
            "tags": ", ".join(tag_names),
        }
        for definition in self.definitions:
            initial[CF_PREFIX + definition.key] = (ticket.custom_fields or {}).get(definition.key)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = _agent_choices(agents)  # type: ignore[attr-defined]
        self.fields["team"].choices = _team_choices(teams)  # type: ignore[attr-defined]
        self.fields["tags"].widget.attrs["list"] = "tag-options"
        for definition in self.definitions:
            self.fields[CF_PREFIX + definition.key] = custom_form_field(definition)

    @property
    def custom_fields(self) -> list[forms.BoundField]:
        return [self[CF_PREFIX + d.key] for d in self.definitions]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("status", "priority", "ticket_type", "assignee", "team", "tags")]

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for `update_ticket`; the action records only what really differs."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "status": data["status"],
            "priority": data["priority"],
            "ticket_type": data["ticket_type"],
            "tags": split_tags(data["tags"]),
        }
        # Only when changed: a ticket may still carry an agent who has since been deactivated.
        if (data["assignee"] or "") != str(self.ticket.assignee_id or ""):
            changes["assignee"] = self.agents.get(data["assignee"] or "")
        if (data["team"] or "") != str(self.ticket.team_id or ""):
            changes["team"] = self.teams.get(data["team"] or "")
        current = self.ticket.custom_fields or {}
        fields: dict[str, Any] = {}
        for definition in self.definitions:
            value = data.get(CF_PREFIX + definition.key)
            before = current.get(definition.key)
            if definition.field_type == FieldType.CHECKBOX:
                if bool(value) != bool(before):
                    fields[definition.key] = bool(value)
            elif (value or "") != ("" if before is None else str(before)):
                fields[definition.key] = value
        if fields:
            changes["custom_fields"] = fields
        return changes


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(choices=AGENT_KINDS, initial=MessageKind.REPLY.value)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
    new_status = forms.ChoiceField(choices=[("", ""), *Status.choices], required=False)
    seen = forms.IntegerField(required=False, min_value=0)
    confirm = forms.BooleanField(required=False)


class TicketNumberForm(forms.Form):
    number = forms.CharField(label=_("Ticket number"), max_length=20)

    def clean_number(self) -> int:
        raw = self.cleaned_data["number"].strip().lstrip("#")
        if not raw.isdigit():
            raise forms.ValidationError(_("Type a ticket number, like 1042."))
        return int(raw)


class NewTicketForm(forms.Form):
    contact = forms.CharField(
        label=_("Requester email or phone"),
        required=False,
        max_length=255,
        help_text=_("An existing customer is found by this; otherwise a new one is created."),
    )
    name = forms.CharField(label=_("Requester name"), required=False, max_length=200)
    subject = forms.CharField(label=_("Subject"), max_length=250)
    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 7}))
    kind = forms.ChoiceField(label=_("Message is"), choices=AGENT_KINDS, initial=MessageKind.REPLY.value)
    channel = forms.ChoiceField(label=_("Came in by"), choices=AGENT_CHANNELS, initial=Channel.PHONE.value)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL.value)
    ticket_type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *TicketType.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status after opening"), choices=[("", _("Automatic")), *Status.choices], required=False
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate tags with commas."))

    def __init__(
        self,
        *args: Any,
        agents: Sequence[User],
        teams: Sequence[Team],
        definitions: Sequence[CustomFieldDefinition] = (),
        with_contact: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.agents = {str(a.pk): a for a in agents}
        self.teams = {str(t.pk): t for t in teams}
        self.definitions = list(definitions)
        self.fields["assignee"].choices = _agent_choices(agents)  # type: ignore[attr-defined]
        self.fields["team"].choices = _team_choices(teams)  # type: ignore[attr-defined]
        self.fields["tags"].widget.attrs["list"] = "tag-options"
        if not with_contact:
            del self.fields["contact"]
            del self.fields["name"]
        for definition in self.definitions:
            field = custom_form_field(definition)
            self.fields[CF_PREFIX + definition.key] = field

    @property
    def custom_fields(self) -> list[forms.BoundField]:
        return [self[CF_PREFIX + d.key] for d in self.definitions]

    def ticket_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {}
        for definition in self.definitions:
            value = data.get(CF_PREFIX + definition.key)
            if value not in (None, "", False):
                fields[definition.key] = value
        return {
            "subject": data["subject"],
            "body_text": data["body"],
            "message_kind": data["kind"],
            "channel": data["channel"],
            "priority": data["priority"],
            "ticket_type": data["ticket_type"],
            "status": data["status"] or None,
            "assignee": self.agents.get(data["assignee"] or ""),
            "team": self.teams.get(data["team"] or ""),
            "tags": split_tags(data["tags"]),
            "custom_fields": fields,
        }
