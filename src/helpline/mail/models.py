"""Mailboxes, the raw store of every message received and its processing outcome."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.crypto import EncryptedTextField


class Security(models.TextChoices):
    SSL = "ssl", _("TLS (implicit)")
    STARTTLS = "starttls", _("STARTTLS")
    PLAIN = "plain", _("None (plain text)")


class AuthMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    XOAUTH2 = "xoauth2", _("OAuth2 (XOAUTH2)")


class ClosedTicketPolicy(models.TextChoices):
    REOPEN = "reopen", _("Reopen the ticket")
    FOLLOW_UP = "follow_up", _("Open a follow-up ticket")


class ProcessedAction(models.TextChoices):
    FLAG = "flag", _("Mark as seen")
    MOVE = "move", _("Move to a folder")


class Mailbox(models.Model):
    """A support address: where its mail is fetched from (IMAP) and how replies go out (SMTP)."""

    name = models.CharField(_("name"), max_length=100)
    email_address = models.EmailField(_("address"), unique=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="mailboxes"
    )
    active = models.BooleanField(_("active"), default=True)
    # inbound
    imap_host = models.CharField(_("IMAP host"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(max_length=10, choices=Security.choices, default=Security.SSL)
    imap_folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    processed_action = models.CharField(max_length=10, choices=ProcessedAction.choices, default=ProcessedAction.FLAG)
    processed_folder = models.CharField(max_length=200, blank=True, default="Processed")
    use_idle = models.BooleanField(_("use IDLE"), default=True)
    poll_interval = models.PositiveIntegerField(_("polling interval (s)"), default=60)
    tls_ca_file = models.CharField(
        _("CA certificate file"),
        max_length=500,
        blank=True,
        help_text=_(
            "A PEM file on the server to verify the IMAP and SMTP servers' certificates against "
            "(e.g. a company CA or a self-signed certificate). Empty: the system's trusted CAs."
        ),
    )
    # credentials (shared by IMAP and SMTP unless SMTP has its own)
    auth_method = models.CharField(max_length=10, choices=AuthMethod.choices, default=AuthMethod.PASSWORD)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password = EncryptedTextField(blank=True)
    oauth_token_url = models.URLField(blank=True)
    oauth_authorize_url = models.URLField(
        _("OAuth2 authorization endpoint"),
        blank=True,
        help_text=_(
            "Where an admin signs in to connect the mailbox (Microsoft 365: "
            "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/authorize, Google: "
            "https://accounts.google.com/o/oauth2/v2/auth)."
        ),
    )
    oauth_client_id = models.CharField(max_length=300, blank=True)
    oauth_client_secret = EncryptedTextField(blank=True)
    oauth_refresh_token = EncryptedTextField(blank=True)
    oauth_access_token = EncryptedTextField(blank=True)
    oauth_expires_at = models.DateTimeField(null=True, blank=True)
    oauth_scope = models.CharField(max_length=300, blank=True)
    # outbound
    smtp_host = models.CharField(_("SMTP host"), max_length=200, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(max_length=10, choices=Security.choices, default=Security.STARTTLS)
    smtp_username = models.CharField(max_length=200, blank=True)
    smtp_password = EncryptedTextField(blank=True)
    signature = models.TextField(_("signature template"), blank=True)
    # policy
    closed_ticket_policy = models.CharField(
        max_length=10, choices=ClosedTicketPolicy.choices, default=ClosedTicketPolicy.REOPEN
    )
    max_message_bytes = models.PositiveIntegerField(default=25 * 1024 * 1024)
    sender_rate_limit = models.PositiveIntegerField(_("messages per sender per hour"), default=60)
    send_acknowledgement = models.BooleanField(default=True)
    hold_marked_spam = models.BooleanField(
        _("hold mail marked as spam"),
        default=True,
        help_text=_(
            "Mail a mail server on the way marked as spam (X-Spam-Flag, X-Spam-Status, X-Spam) waits in the "
            "quarantine, unanswered, until an admin releases it."
        ),
    )
    spam_score_threshold = models.FloatField(
        _("spam score threshold"),
        null=True,
        blank=True,
        default=5.0,
        help_text=_(
            "Mail posted by an email service provider that gives a spam score but no verdict is held in the "
            "quarantine as spam from this score on (SpamAssassin's default is 5). Empty: scores are ignored."
        ),
    )
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email_address}>"


class MailboxAlias(models.Model):
    """Another address whose mail reaches a mailbox: an alias or group address forwarded to it, an
    old address. Its mail is the mailbox's (the SMTP receiver and providers' webhooks route it
    there), it is never copied on replies, and mail from it is recognised as our own."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="aliases")
    address = models.EmailField(_("address"), unique=True)

    class Meta:
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address


class RawStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    QUARANTINED = "quarantined", _("Quarantined")


class RawMessage(models.Model):
    """One received message: stored before anything else happens, unique per mailbox and Message-ID."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="raw_messages")
    message_id = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    path = models.CharField(max_length=255)
    sender = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=20, default="imap")
    status = models.CharField(max_length=12, choices=RawStatus.choices, default=RawStatus.RECEIVED)
    outcome = models.CharField(max_length=30, blank=True)
    error = models.TextField(blank=True)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="unique_raw_mailbox_message_id"),
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="raw_status_received"),
            models.Index(fields=["mailbox", "sender", "received_at"], name="raw_sender_received"),
        ]

    def __str__(self) -> str:
        return self.message_id


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """What every mail we send keeps: where its delivery stands and the attempts so far."""

    status = models.CharField(max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class OutboundMail(Delivery):
    """An agent reply we deliver by SMTP: the Message-ID we gave it and the attempts so far."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="outbound")
    ticket_message = models.OneToOneField("tickets.Message", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=255, unique=True)
    # the id an email service provider gave the message (django-anymail), for its status webhooks
    provider_message_id = models.CharField(max_length=255, blank=True, db_index=True)


class Acknowledgement(Delivery):
    """The acknowledgement of a new email ticket sent to its customer: recorded with its Message-ID
    before it goes out, so a bounce of it is recognised (and shown on the ticket), never a new
    conversation."""

    raw = models.OneToOneField(RawMessage, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    recipient = models.CharField(max_length=255)
    message_id = models.CharField(max_length=255, unique=True)


class AgentNotification(Delivery):
    """An email telling an agent about a ticket (new in their team, assigned to them, customer
    replied, internal note), queued and delivered with retries like a reply."""

    agent = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("tickets.TicketEvent", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)
    message_id = models.CharField(max_length=255, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "agent"], name="unique_notification_event_agent"),
        ]


class Participant(models.Model):
    """Someone besides the requester in an email conversation (in copy, or answering from their own
    address): agents' replies go to them in Cc unless an agent dropped them."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=255)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # An agent stopped copying them. The row stays, so a later mail that still names them (a
    # "reply all" to an older message) does not bring them back; an agent can add them again.
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "email"], name="unique_participant_ticket_email")]


class TeamSignature(models.Model):
    """A team's signature template under agents' email replies, for one language ("" is the
    default for customers whose language has none of its own)."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=10, blank=True)
    template = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team", "language"]
        constraints = [models.UniqueConstraint(fields=["team", "language"], name="unique_team_signature_language")]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.language or '*'}"
