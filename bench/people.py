"""Benchmark customers with their identities and organisation memberships, as COPY rows.

Rows match what `customers.actions.create_customer` writes: normalised identities (lower-case
e-mail, phone reduced to + and digits), membership of the organisation whose domain matches
the e-mail address.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from bench import corpus
from bench.copyfmt import NULL, PublicIds, Timestamps, esc
from bench.simulate import DAY, _table

CUSTOMER_COLUMNS = (
    "id, public_id, name, language, time_zone, preferred_channel, custom_attributes, notes, merged_into_id, "
    "created_at, updated_at"
)
IDENTITY_COLUMNS = "id, customer_id, kind, value, verified, created_at"
MEMBERSHIP_COLUMNS = "id, customer_id, organization_id"
PREFERRED = {"": 40, "email": 35, "phone": 10, "whatsapp": 5, "telegram": 5, "chat": 5}


@dataclass
class Organization:
    id: int
    domain: str


class People:
    def __init__(self, *, customers: int, organizations: list[Organization], before_us: int, seed: int):
        self.n = customers
        self.orgs = organizations
        self.before_us = before_us
        self.rng = random.Random(seed)
        self.ts = Timestamps()
        self.pid = PublicIds()
        self.languages = _table(corpus.LANGUAGE_WEIGHTS)
        self.preferred = _table(PREFERRED)
        self.names = {
            lang: [esc(f"{first} {last}") for first in corpus.FIRST_NAMES[lang] for last in corpus.LAST_NAMES[lang]]
            for lang in corpus.LANGUAGE_WEIGHTS
        }
        # language -> [(customer id, organisation id or None)], for the ticket simulator
        self.by_language: dict[str, list[tuple[int, int | None]]] = {lang: [] for lang in corpus.LANGUAGE_WEIGHTS}

    def rows(self, batch: int = 5000) -> Iterator[tuple[list[str], list[str], list[str]]]:
        """Yield (customer lines, identity lines, membership lines) in batches."""
        rng = self.rng
        identity_id = membership_id = 0
        customers: list[str] = []
        identities: list[str] = []
        memberships: list[str] = []
        for cid in range(1, self.n + 1):
            lang = rng.choice(self.languages)
            created = self.ts(self.before_us - rng.randrange(365 * DAY))
            tz = rng.choice(corpus.TIME_ZONES[lang])
            customers.append(
                f"{cid}\t{self.pid()}\t{rng.choice(self.names[lang])}\t{lang}\t{tz}\t{rng.choice(self.preferred)}\t{{}}\t\t{NULL}\t{created}\t{created}\n"
            )
            org = rng.choice(self.orgs) if self.orgs and rng.random() < 0.25 else None
            self.by_language[lang].append((cid, org.id if org else None))
            local = f"{rng.choice(corpus.ASCII_NAMES)}.{cid}"
            kinds: list[tuple[str, str]] = []
            if org is not None:
                kinds.append(("email", f"{local}@{org.domain}"))
                membership_id += 1
                memberships.append(f"{membership_id}\t{cid}\t{org.id}\n")
            elif rng.random() < 0.85:
                kinds.append(("email", f"{local}@{rng.choice(corpus.FREE_MAIL_DOMAINS)}"))
            if not kinds or rng.random() < 0.4:
                kinds.append(("phone", f"+{995_500_000_000 + cid}"))
            if rng.random() < 0.1:
                kinds.append(("telegram", f"tg_{local.replace('.', '_')}"))
            for kind, value in kinds:
                identity_id += 1
                verified = "t" if kind == "email" and rng.random() < 0.5 else "f"
                identities.append(f"{identity_id}\t{cid}\t{kind}\t{value}\t{verified}\t{created}\n")
            if len(customers) >= batch:
                yield customers, identities, memberships
                customers, identities, memberships = [], [], []
        if customers:
            yield customers, identities, memberships
