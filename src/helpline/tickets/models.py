"""Tickets, their messages and attachments, tags, custom fields, links and the event record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpline.core.ids import new_public_id
from helpline.customers.models import Channel, Customer, Organization


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    TASK = "task", _("Task")
    COMPLAINT = "complaint", _("Complaint")
    FEEDBACK = "feedback", _("Feedback")


class Counter(models.Model):
    """Named monotonic counters (ticket numbers)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    color = models.CharField(max_length=7, default="#6b7280")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    CHECKBOX = "checkbox", _("Checkbox")


class CustomFieldDefinition(models.Model):
    """A ticket field defined by an admin; values live in `Ticket.custom_fields` under `key`."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(max_length=20, choices=FieldType.choices, default=FieldType.TEXT)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.label


class Ticket(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    number = models.BigIntegerField(unique=True)
    subject = models.CharField(_("subject"), max_length=250)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(_("priority"), max_length=20, choices=Priority.choices, default=Priority.NORMAL)
    ticket_type = models.CharField(_("type"), max_length=20, choices=TicketType.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    requester = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    tags = models.ManyToManyField(Tag, related_name="tickets", blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(db_index=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # These also serve the inbox view counts (selectors.capped_counts) as index-only scans.
            models.Index(fields=["status", "-updated_at", "-id"], name="ticket_status_updated"),
            models.Index(fields=["assignee", "status", "-updated_at"], name="ticket_assignee_status"),
            models.Index(fields=["team", "status", "-updated_at"], name="ticket_team_status"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_created"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class MessageKind(models.TextChoices):
    INBOUND = "inbound", _("Customer message")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")


class DeliveryStatus(models.TextChoices):
    NOT_APPLICABLE = "", _("Not applicable")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    delivery_status = models.CharField(max_length=10, choices=DeliveryStatus.choices, blank=True, default="")
    delivery_error = models.TextField(blank=True)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_created"),
            # Response-time reports walk customer messages by time.
            models.Index(fields=["created_at"], name="message_inbound_created", condition=Q(kind="inbound")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="unique_message_channel_external_id",
            ),
        ]

    @property
    def is_public(self) -> bool:
        return self.kind != MessageKind.NOTE

    @property
    def author_name(self) -> str:
        if self.author_agent_id:
            return str(self.author_agent)
        if self.author_customer_id:
            return str(self.author_customer)
        return str(_("System"))


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}/{instance.public_id}"


class Attachment(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related")
    DUPLICATE = "duplicate", _("Duplicate of")
    PARENT = "parent", _("Child of")


class TicketLink(models.Model):
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices, default=LinkKind.RELATED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="unique_ticket_link")]


class EventKind(models.TextChoices):
    CREATED = "created", _("Ticket opened")
    MESSAGE_ADDED = "message_added", _("Message added")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    TYPE_CHANGED = "type_changed", _("Type changed")
    SUBJECT_CHANGED = "subject_changed", _("Subject changed")
    ASSIGNEE_CHANGED = "assignee_changed", _("Assignee changed")
    TEAM_CHANGED = "team_changed", _("Team changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    FIELD_CHANGED = "field_changed", _("Field changed")
    LANGUAGE_CHANGED = "language_changed", _("Language changed")
    REQUESTER_CHANGED = "requester_changed", _("Requester changed")
    MERGED = "merged", _("Merged into another ticket")
    MERGED_FROM = "merged_from", _("Another ticket merged in")
    LINKED = "linked", _("Linked")
    UNLINKED = "unlinked", _("Unlinked")
    DELIVERY_CHANGED = "delivery_changed", _("Delivery status changed")
    CC_CHANGED = "cc_changed", _("People in copy changed")


class TicketEvent(models.Model):
    """Append-only record of every change: the ticket history, the audit trail and the timeline."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=60, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_created"),
            # Reopen and first-contact-resolution reports look only at status changes.
            models.Index(fields=["ticket"], name="event_status_changes", condition=Q(kind="status_changed")),
        ]

    @property
    def actor_name(self) -> str:
        if self.actor_agent_id:
            return str(self.actor_agent)
        if self.actor_customer_id:
            return str(self.actor_customer)
        return self.actor_label or str(_("System"))


class SavedView(models.Model):
    """A named ticket list: filters and sort, personal or shared with everyone."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("name"), max_length=100)
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=30, default="-updated_at")
    shared = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class EventCursor(models.Model):
    """How far the task workers have read the ticket events (`tickets.event_feed`): every event up to
    `position` is claimed, except the ids in `gaps` (seen missing while later ids were there: a
    transaction still open, or rolled back), re-checked on every claim until they show up or age out."""

    name = models.CharField(max_length=40, unique=True)
    position = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list, blank=True)  # [[event id, first seen (unix seconds)], ...]
    updated_at = models.DateTimeField(auto_now=True)


class EventBatch(models.Model):
    """Ticket events a worker claimed for the worker subscribers. Deleted when every subscriber has
    run them; one that failed stays, with the (subscriber, event) pairs left to retry and the error."""

    class State(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        RETRY = "retry", _("Waiting to retry")
        FAILED = "failed", _("Failed")

    cursor = models.CharField(max_length=40)
    event_ids = models.JSONField(default=list)
    retry = models.JSONField(default=list, blank=True)  # [[subscriber, event id], ...] still to run
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLAIMED)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField()
    run_after = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "run_after"], name="eventbatch_state_due")]
