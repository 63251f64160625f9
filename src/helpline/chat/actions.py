"""Every write of live chat: visitors' messages (each conversation is a ticket with channel = chat),
read marks, the offline form, agents' availability and the widget settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.chat.models import ChatSettings, Conversation
from helpline.chat.selectors import chat_settings, current_ticket, least_busy_agent
from helpline.core import prepared
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.customers import actions as customer_actions
from helpline.customers.models import Channel, Customer, IdentityKind
from helpline.tickets import actions as ticket_actions
from helpline.tickets import delivery_actions, permissions
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Status, Ticket
from helpline.workflow import availability
from helpline.workflow.models import AgentRouting

CHAT_ACTOR = Actor.system("chat")
MAX_BODY = 10_000


def _language(code: str) -> str:
    code = (code or "").split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else ""


def _conversation(visitor_id: str, *, lock: bool = False) -> Conversation:
    """The visitor's conversation with its customer and ticket, in one query (locked: only the
    conversation row, so concurrent tabs of one visitor take turns)."""
    rows = Conversation.objects.select_related("customer", "ticket")
    if lock:
        rows = rows.select_for_update(of=("self",))
    conversation = rows.filter(visitor_id=visitor_id).first()
    if conversation is None:
        created, _new = Conversation.objects.get_or_create(visitor_id=visitor_id)
        conversation = rows.get(pk=created.pk)
    return conversation


def identify_visitor(
    *, visitor_id: str, name: str = "", email: str = "", language: str = "", page_url: str = ""
) -> Conversation:
    """The pre-chat form, or what the widget knows on first contact (language, page)."""
    email = (email or "").strip()
    if email:
        email = customer_actions.normalize_identity(IdentityKind.EMAIL, email)
    with transaction.atomic():
        conversation = _conversation(visitor_id, lock=True)
        fields: list[str] = []
        for field, value in (
            ("name", (name or "").strip()[:200]),
            ("email", email),
            ("language", _language(language)),
            ("page_url", (page_url or "")[:1000] if str(page_url).startswith(("http://", "https://")) else ""),
        ):
            if value and getattr(conversation, field) != value:
                setattr(conversation, field, value)
                fields.append(field)
        if email and conversation.customer is not None:
            customer_actions.link_identity(
                actor=CHAT_ACTOR, customer=conversation.customer, kind=IdentityKind.EMAIL, value=email
            )
        if fields:
            conversation.save(update_fields=[*fields, "updated_at"])
    return conversation


MAX_PAGES = 10


def _web_url(url: str) -> str:
    url = (url or "").strip()[:1000]
    return url if url.startswith(("http://", "https://")) else ""


def note_visitor_page(
    *, visitor_id: str, url: str, title: str = "", browser_language: str = "", language: str = ""
) -> bool:
    """The widget is on a (new) page of the host site: keep it for the agents' context panel (the
        current page, the last few visited, the browser's languages; `language` is the one the widget
    chose). Returns whether anything changed."""
    url, title = _web_url(url), " ".join((title or "").split())[:300]
    browser_language = (browser_language or "").strip()[:100]
    if not url:
        return False
    with transaction.atomic():
        conversation = _conversation(visitor_id, lock=True)
        if (conversation.page_url, conversation.page_title) == (url, title) and (
            not browser_language or conversation.browser_language == browser_language
        ):
            return False
        now = timezone.now()
        pages = [p for p in conversation.pages if isinstance(p, dict)][-(MAX_PAGES - 1) :]
        if not pages or pages[-1].get("url") != url:
            pages.append({"url": url, "title": title, "at": now.isoformat()})
        else:
            pages[-1] = {**pages[-1], "title": title}
        conversation.page_url, conversation.page_title, conversation.pages = url, title, pages
        conversation.page_seen_at = now
        fields = ["page_url", "page_title", "pages", "page_seen_at", "updated_at"]
        if browser_language:
            conversation.browser_language = browser_language
            fields.append("browser_language")
        chosen = _language(language) or _language(browser_language.split(",")[0])
        if chosen and not conversation.language:
            conversation.language = chosen
            fields.append("language")
        conversation.save(update_fields=fields)
    return True


def _customer_for(conversation: Conversation) -> Customer:
    if conversation.customer_id and conversation.customer is not None:
        return conversation.customer
    if conversation.email:
        customer, _new = customer_actions.resolve_customer(
            kind=IdentityKind.EMAIL,
            value=conversation.email,
            name=conversation.name,
            language=conversation.language,
            channel=Channel.CHAT,
        )
        customer_actions.link_identity(
            actor=CHAT_ACTOR, customer=customer, kind=IdentityKind.CHAT, value=conversation.visitor_id
        )
    else:
        customer, _new = customer_actions.resolve_customer(
            kind=IdentityKind.CHAT,
            value=conversation.visitor_id,
            name=conversation.name,
            language=conversation.language,
            channel=Channel.CHAT,
        )
    conversation.customer = customer
    conversation.save(update_fields=["customer", "updated_at"])
    return customer


_KNOWN_TICKET_SQL: dict[str, str] = {}


def _known_ticket_sql(connection: Any) -> str:
    """The ticket row locked, if still this conversation's open, unmerged ticket of this customer,
    with the conversation's page (built once: the ORM's compile is most of a chat message's cost)."""
    if connection.alias not in _KNOWN_TICKET_SQL:
        q = connection.ops.quote_name
        ticket, conversation = Ticket._meta, Conversation._meta
        columns = ", ".join(f"t.{q(f.column)}" for f in ticket.concrete_fields)
        lock = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
        lock = lock if connection.features.has_select_for_update else ""
        _KNOWN_TICKET_SQL[connection.alias] = (
            f"SELECT {columns}, c.{q(conversation.get_field('page_url').column)} "  # noqa: S608 (names from the models)
            f"FROM {q(ticket.db_table)} t INNER JOIN {q(conversation.db_table)} c "
            f"ON c.{q(conversation.get_field('ticket').column)} = t.{q(ticket.pk.column)} "
            f"WHERE t.{q(ticket.pk.column)} = %s AND t.{q(ticket.get_field('requester').column)} = %s "
            f"AND t.{q(ticket.get_field('merged_into').column)} IS NULL AND t.{q(ticket.get_field('status').column)} <> %s "
            f"AND c.{q(conversation.get_field('visitor_id').column)} = %s{lock}"
        )
    return _KNOWN_TICKET_SQL[connection.alias]


def _stored_message_id(connection: Any, external_id: str) -> int | None:
    q, message = connection.ops.quote_name, Message._meta
    with prepared.cursor(connection) as cursor:
        cursor.execute(
            f"SELECT {q(message.pk.column)} FROM {q(message.db_table)} "  # noqa: S608 (names from the models)
            f"WHERE {q(message.get_field('channel').column)} = %s AND {q(message.get_field('external_id').column)} = %s",
            [Channel.CHAT, external_id],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _add_to_known_ticket(
    conversation: Conversation, client_id: str, body: str, attachments: Sequence[IncomingFile]
) -> Message | None:
    """The message onto the ticket the conversation had last time, locked and checked in one read
    (still this conversation's, open, unmerged, the customer's). None when any of that changed:
    the caller takes the full path, which reads everything again."""
    ticket, customer = conversation.ticket, conversation.customer
    if ticket is None or customer is None or ticket.merged_into_id or ticket.status == Status.CLOSED:
        return None
    external_id = f"{conversation.public_id}:{client_id}"
    with transaction.atomic():
        connection = transaction.get_connection()
        with prepared.cursor(connection) as cursor:
            cursor.execute(
                _known_ticket_sql(connection), [ticket.pk, customer.pk, Status.CLOSED, conversation.visitor_id]
            )
            row = cursor.fetchone()
        if row is None:
            return None
        fields = [f.attname for f in Ticket._meta.concrete_fields]
        locked = Ticket.from_db(connection.alias, fields, row[: len(fields)])
        conversation.page_url = row[len(fields)] or ""  # the visitor's page now (another tab may have moved)
        stored = _stored_message_id(connection, external_id)  # after the lock: a resend in another tab
        if stored is not None:
            conversation.ticket = locked
            return Message.objects.get(pk=stored)  # the same message id again: stored once
        message = ticket_actions.add_message(
            actor=Actor.of_customer(customer),
            ticket=locked,
            kind=MessageKind.INBOUND,
            body_text=body,
            channel=Channel.CHAT,
            attachments=attachments,
            external_id=external_id,
            meta={"page_url": conversation.page_url} if conversation.page_url else {},
            ticket_locked=True,
            external_id_checked=True,
        )
    conversation.ticket = locked
    return message


def post_visitor_message(
    *,
    visitor_id: str,
    client_id: str,
    body: str = "",
    attachments: Sequence[IncomingFile] = (),
    known: Conversation | None = None,
) -> tuple[Message, Conversation]:
    """Store one visitor message exactly once: the widget's message id makes a resend after a
    reconnect return the message stored the first time. The first message opens the chat ticket
    (routed to the least busy online agent when there is one); a closed ticket is followed by a new one.

    `known`: the conversation as the caller last had it (`selectors.known_conversation`, or what this
    returned before; a socket keeps it). While its ticket is still the conversation's open ticket, the message
    goes straight onto it: the ticket's row lock orders concurrent tabs, as the conversation's does
    on the full path. The conversation returned is `known` then (its ticket refreshed), to pass again."""
    client_id = (client_id or "").strip()[:64]
    if not client_id:
        raise InvalidInputError(_("A message id is required."), code="client_id_required")
    body = (body or "").strip()
    if len(body) > MAX_BODY:
        raise InvalidInputError(_("The message is too long."), code="message_too_long")
    if not body and not attachments:
        raise InvalidInputError(_("The message is empty."), code="message_empty")
    if known is not None and known.visitor_id == visitor_id:
        added = _add_to_known_ticket(known, client_id, body, attachments)
        if added is not None:
            return added, known
    with transaction.atomic():
        conversation = _conversation(visitor_id, lock=True)
        external_id = f"{conversation.public_id}:{client_id}"
        customer = _customer_for(conversation)
        actor = Actor.of_customer(customer)
        ticket = current_ticket(conversation)
        meta: dict[str, Any] = {"page_url": conversation.page_url} if conversation.page_url else {}
        if not body:
            meta["no_text"] = True  # a file alone (the first message's body stands in for it)
        if ticket is None or ticket.status == Status.CLOSED or ticket.requester_id != customer.pk:
            # add_message is idempotent on the external id; opening a ticket is not, so look first
            existing = Message.objects.filter(channel=Channel.CHAT, external_id=external_id).first()
            if existing is not None:
                return existing, conversation
            ticket = ticket_actions.open_ticket(
                actor=actor,
                requester=customer,
                subject="",
                body_text=body or _("File from the chat"),
                channel=Channel.CHAT,
                language=conversation.language,
                attachments=attachments,
                external_id=external_id,
                meta=meta,
                assignee=least_busy_agent(conversation.language or customer.language),
            )
            conversation.ticket = ticket
            conversation.save(update_fields=["ticket", "updated_at"])
            message = ticket.messages.order_by("id").first()
            assert message is not None
        else:
            message = ticket_actions.add_message(
                actor=actor,
                ticket=ticket,
                kind=MessageKind.INBOUND,
                body_text=body,
                channel=Channel.CHAT,
                attachments=attachments,
                external_id=external_id,
                meta=meta,
            )
    if not hasattr(customer, "_prefetched_objects_cache"):
        prefetch_related_objects([customer], "identities")  # the customer's name on the next events
    return message, conversation


def mark_read(*, visitor_id: str, up_to: int) -> int:
    """The widget has shown the agent's messages up to `up_to`: they count as delivered (the agent
    sees it on the thread). Returns how many changed."""
    with transaction.atomic():
        conversation = _conversation(visitor_id, lock=True)
        ticket = current_ticket(conversation)
        if ticket is None or up_to <= conversation.visitor_read_up_to:
            return 0
        conversation.visitor_read_up_to = up_to
        conversation.save(update_fields=["visitor_read_up_to", "updated_at"])
        unread = list(
            Message.objects.filter(
                ticket=ticket,
                kind=MessageKind.REPLY,
                pk__lte=up_to,
                delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENT],
            )
        )
        for message in unread:
            delivery_actions.set_delivery_status(actor=CHAT_ACTOR, message=message, status=DeliveryStatus.DELIVERED)
    return len(unread)


def leave_offline_message(
    *,
    visitor_id: str = "",
    name: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    callback: bool = False,
    language: str = "",
    page_url: str = "",
) -> Ticket:
    """Nobody is there to chat: the visitor leaves a message with an email address, or asks to be
    called back on a phone number. Either way it becomes a ticket (channel = chat)."""
    name, email, phone, message = name.strip()[:200], email.strip(), phone.strip(), message.strip()[:MAX_BODY]
    if callback and not phone:
        raise InvalidInputError(_("Give a phone number to be called back on."), code="phone_required")
    if not callback and not email:
        raise InvalidInputError(_("Give an email address so we can answer."), code="email_required")
    if not message and not callback:
        raise InvalidInputError(_("The message is empty."), code="message_empty")
    language = _language(language)
    primary = (IdentityKind.PHONE, phone) if callback else (IdentityKind.EMAIL, email)
    with transaction.atomic():
        customer, _new = customer_actions.resolve_customer(
            kind=primary[0], value=primary[1], name=name, language=language, channel=Channel.CHAT
        )
        for kind, value in ((IdentityKind.EMAIL, email), (IdentityKind.PHONE, phone), (IdentityKind.CHAT, visitor_id)):
            if value and (kind, value) != primary:
                customer_actions.link_identity(actor=CHAT_ACTOR, customer=customer, kind=kind, value=value)
        if callback:
            subject = _("Callback requested: %(phone)s") % {"phone": phone}
            body = message or subject
        else:
            subject, body = "", message
        ticket = ticket_actions.open_ticket(
            actor=Actor.of_customer(customer),
            requester=customer,
            subject=subject,
            body_text=body,
            channel=Channel.CHAT,
            language=language,
            tags=["callback"] if callback else ["chat-offline"],
            meta={"page_url": page_url[:1000], "offline": True, "callback": callback, "phone": phone},
        )
        if visitor_id:
            conversation = _conversation(visitor_id, lock=True)
            conversation.customer, conversation.ticket = customer, ticket
            fields = ["customer", "ticket", "updated_at"]
            if email and not conversation.email:
                conversation.email = customer_actions.normalize_identity(IdentityKind.EMAIL, email)
                fields.append("email")  # kept even when it is another customer's: a merge is suggested
            conversation.save(update_fields=fields)
    return ticket


def set_chat_status(*, actor: Actor, status: str, capacity: int | None = None) -> AgentRouting:
    """The agent's own status and chat capacity: their one availability profile, which ticket
    routing reads too (workflow.availability)."""
    return availability.set_availability(actor=actor, status=status, chat_capacity=capacity)


SETTINGS_FIELDS = (
    "color",
    "logo_url",
    "greeting",
    "prechat_form",
    "always_open",
    "open_days",
    "opens_at",
    "closes_at",
    "time_zone",
)


def update_chat_settings(*, actor: Actor, **changes: Any) -> ChatSettings:
    permissions.require(permissions.can_manage_settings(actor))
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise InvalidInputError(_("Unknown setting."), code="invalid_setting")
    with transaction.atomic():
        config = chat_settings()
        for field, value in changes.items():
            setattr(config, field, value)
        config.save()
    return config


def email_transcript(*, visitor_id: str, email: str = "") -> str:
    """Send the visitor their conversation by email (to the address given, else the one they left)."""
    from helpline.chat.tasks import send_transcript

    conversation = _conversation(visitor_id)
    address = (
        (email or "").strip() or conversation.email or (conversation.customer.email if conversation.customer else "")
    )
    if not address:
        raise InvalidInputError(_("Give an email address for the transcript."), code="email_required")
    address = customer_actions.normalize_identity(IdentityKind.EMAIL, address)
    if current_ticket(conversation) is None:
        raise InvalidInputError(_("There is no conversation to send yet."), code="nothing_to_send")
    conversation_id = conversation.pk
    transaction.on_commit(lambda: send_transcript.enqueue(conversation_id, address))
    return address
