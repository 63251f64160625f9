"""Every page an admin, an agent, a light agent and a customer can reach by following links in the demo desk
answers without a server error, in English and in the desk's other languages."""

from __future__ import annotations

import re
from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from helpline.accounts.models import User
from helpline.customers.models import Customer
from helpline.portal.auth import SESSION_KEY

HREF = re.compile(r"""href=["']([^"'#][^"']*)["']""")
# Links that end the session or only make sense to a program: followed by nothing here.
SKIP = re.compile(r"logout|sign-out|sign_out|/api/|/django-admin/|/static/|/media/|\.eml|/download|/export")
PAGE_LIMIT = 260


def _links(base: str, html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url, _fragment = urldefrag(urljoin(base, href.replace("&amp;", "&")))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(path):
            found.append(path)
    return found


def _crawl(client: Client, start: list[str], language: str) -> tuple[set[str], list[str]]:
    """Breadth-first over the links of HTML pages; returns the pages seen and the ones that failed."""
    seen: set[str] = set(start)
    queue = deque(start)
    failures: list[str] = []
    # One page per distinct path shape: /tickets/12/ and /tickets/13/ are the same view.
    shapes: set[str] = set()
    while queue and len(seen) < PAGE_LIMIT:
        path = queue.popleft()
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {path} ({language})")
            continue
        if response.status_code in (301, 302):
            target = response.headers["Location"]
            if target not in seen and not SKIP.search(target) and urlsplit(target).netloc in ("", "testserver"):
                seen.add(target)
                queue.append(target)
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        for link in _links(path, response.content.decode("utf-8", "replace")):
            shape = re.sub(r"\d+|[0-9a-f]{8,}|[A-Za-z0-9_-]{20,}", "N", link.split("?")[0]) + (
                "?" if "?" in link else ""
            )
            if link in seen or shape in shapes:
                continue
            shapes.add(shape)
            seen.add(link)
            queue.append(link)
    return seen, failures


@pytest.mark.django_db(transaction=True)
def test_every_linked_page_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_DEMO_PASSWORD", "desk-demo-passphrase")
    call_command("demo", "--no-progress", stdout=StringIO())

    for username, language in (("admin", "en"), ("agent", "ka"), ("light", "te"), ("supervisor", "mn")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        seen, failures = _crawl(client, ["/", "/admin/", "/reports/", "/workflow/", "/kb/", "/help/"], language)
        assert not failures, failures
        assert len(seen) > 40, " ".join(sorted(seen))

    customer = Customer.objects.filter(tickets__isnull=False, language="en").order_by("pk").first()
    assert customer is not None
    for language in ("en", "am"):
        client = Client()
        session = client.session
        session[SESSION_KEY] = customer.pk
        session.save()
        seen, failures = _crawl(client, ["/portal/", "/help/"], language)
        assert not failures, failures
        # The help center's articles, FAQ and community question are reachable from the portal.
        assert any("/articles/" in path for path in seen) and any("/community/" in path for path in seen), seen
        assert len(seen) > 15, " ".join(sorted(seen))
