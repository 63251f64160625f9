"""IMAP polling as a periodic job: every task worker's scheduler enqueues `mail.poll` each minute,
and the task fetches each active IMAP mailbox whose polling interval has passed since its last
check. So mail arrives in the embedded profile with no extra process; `helpline mail fetch
--watch` adds IDLE (new mail at once) where the server offers it.

A mailbox is claimed by moving its `last_checked_at` forward in one UPDATE, so two workers never
poll the same mailbox in the same interval (a second fetch would be harmless, as processing is
idempotent, but wasted)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from helpline.mail.models import Mailbox

log = logging.getLogger("helpline.mail.polling")
EVERY = dt.timedelta(minutes=1)
SLACK = dt.timedelta(seconds=5)


def due_mailboxes(now: dt.datetime) -> list[Mailbox]:
    """Active IMAP mailboxes whose interval has passed, each claimed for this poll."""
    claimed = []
    for box in Mailbox.objects.filter(active=True).exclude(imap_host=""):
        # the interval less a little slack, so a job every minute keeps a 60-second interval
        cutoff = now - dt.timedelta(seconds=box.poll_interval) + SLACK
        won = (
            Mailbox.objects.filter(pk=box.pk)
            .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=cutoff))
            .update(last_checked_at=now)
        )
        if won:
            claimed.append(box)
    return claimed


def poll_due_mailboxes(now: dt.datetime | None = None) -> dict[str, int]:
    """Fetch every due mailbox; a failing one is recorded on it and does not stop the others.
    Returns the number of messages fetched per mailbox address."""
    from helpline.mail import imap

    fetched: dict[str, int] = {}
    for box in due_mailboxes(now or timezone.now()):
        try:
            fetched[box.email_address] = len(imap.fetch_once(box))
        except Exception as exc:  # recorded on the mailbox by fetch_once; the admin page shows it
            log.warning("imap poll failed mailbox=%s error=%s", box.pk, exc)
    return fetched
