"""TLS for a mailbox's IMAP and SMTP connections: certificates are always verified, against the
system's trusted CAs or the CA file configured on the mailbox (a company CA, a self-signed
server certificate)."""

from __future__ import annotations

import ssl

from django.utils.translation import gettext as _

from helpline.core.errors import InvalidInputError
from helpline.mail.models import Mailbox


def context_for(mailbox: Mailbox) -> ssl.SSLContext:
    if not mailbox.tls_ca_file:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=mailbox.tls_ca_file)
    except (OSError, ssl.SSLError) as exc:
        message = _("The CA file %(path)s cannot be read: %(error)s") % {"path": mailbox.tls_ca_file, "error": exc}
        raise InvalidInputError(message, code="tls_ca_file") from exc
