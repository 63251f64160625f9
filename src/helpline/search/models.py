"""Denormalised search documents, one per ticket and one per customer, and the word list.

The documents hold plain text only; each database indexes it its own way (see `backends`):
PostgreSQL keeps a `tsvector` column with a GIN index on every document table (the ticket
documents' one written by the indexing statements, which append to it; the customers' generated) and a
trigram index on `SearchWord`; SQLite keeps an FTS5 table per document table, synchronised by
triggers. Both are created by this app's migrations for the database in use only.
"""

from __future__ import annotations

from django.db import models

from helpline.customers.models import Customer
from helpline.tickets.models import Ticket


class TicketSearchDocument(models.Model):
    """Everything searchable about one ticket: subject (title), requester and every message (body)."""

    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.CASCADE, related_name="search_document")
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # The ticket's own `updated_at`, copied so recent matches can be picked without a join.
    ticket_updated_at = models.DateTimeField()
    # How far the body's messages go, so that new messages can be appended instead of the whole
    # document rebuilt (`rebuild_sql.POSTGRES_TICKETS_APPEND`): the highest message id in it and how
    # many messages (empty ones too) have an id up to that one. A message that commits after a
    # higher id was indexed, or one that is moved or deleted, changes that count: the document is
    # then rebuilt. Null (documents built before these fields): rebuilt on its next change.
    last_message_id = models.BigIntegerField(null=True, blank=True)
    message_count = models.IntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"search document of ticket {self.ticket_id}"


class CustomerSearchDocument(models.Model):
    """A customer's name (title) and identities, handles and organisations (body)."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"search document of customer {self.customer_id}"


class SearchWord(models.Model):
    """Every distinct indexed word (PostgreSQL only): looked up by trigram similarity to
    correct misspelt query words before they reach the full-text index."""

    word = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["word"], name="search_word_unique")]

    def __str__(self) -> str:
        return self.word
