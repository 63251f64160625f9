"""The life of each benchmark ticket, written as COPY rows exactly as the ticket actions would.

For ticket `i` the simulator draws a requester, channel, priority, team, final status (recent
tickets are mostly active, old ones mostly closed) and a thread of messages, then replays what
`open_ticket`, `update_ticket`, `add_message` and `set_delivery_status` record: the `created`
and `message_added` events, assignment, status changes (a reply opens a new ticket, a customer
writing reopens a pending one), delivery of replies, solving and the automatic close.
Everything is deterministic for a given seed except the random public ids.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass, field

from bench import corpus
from bench.copyfmt import NULL, PublicIds, Timestamps, esc

TICKET_NUMBER_START = 1000  # helpline.tickets.actions.TICKET_NUMBER_START
MINUTE = 60_000_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

TICKET_COLUMNS = (
    "id, public_id, number, subject, status, priority, ticket_type, channel, custom_fields, language, "
    "created_at, updated_at, last_message_at, first_response_at, solved_at, closed_at, "
    "assignee_id, merged_into_id, organization_id, requester_id, team_id"
)
MESSAGE_COLUMNS = (
    "id, public_id, ticket_id, kind, channel, author_agent_id, author_customer_id, body_text, body_html, "
    "external_id, delivery_status, delivery_error, meta, created_at"
)
EVENT_COLUMNS = (
    "id, ticket_id, kind, actor_agent_id, actor_customer_id, actor_label, message_id, before, after, data, created_at"
)
TICKET_TAG_COLUMNS = "id, ticket_id, tag_id"

CHANNEL_WEIGHTS = {
    "email": 45,
    "web": 18,
    "chat": 12,
    "phone": 8,
    "whatsapp": 5,
    "telegram": 4,
    "portal": 4,
    "sms": 2,
    "messenger": 1,
    "api": 1,
}
PRIORITY_WEIGHTS = {"normal": 60, "low": 15, "high": 20, "urgent": 5}
TYPE_WEIGHTS = {"": 20, "question": 40, "incident": 20, "problem": 10, "task": 5, "complaint": 5}
ACTIVE_WEIGHTS = {"new": 25, "open": 40, "pending": 20, "on_hold": 15}


def _table(weights: dict[str, int]) -> list[str]:
    return [key for key, weight in weights.items() for _ in range(weight)]


@dataclass
class Agent:
    id: int
    name_json: str  # esc(json.dumps({"id": .., "name": ..}))


@dataclass
class Reference:
    """What exists before the bulk load (made through the actions) and the customers' shape."""

    agents: list[Agent]
    supervisors: list[Agent]
    team_members: dict[int, list[Agent]]  # team id -> its agents
    tags: dict[int, str]  # tag id -> name
    # language -> list of (customer id, organisation id or None)
    customers_by_language: dict[str, list[tuple[int, int | None]]] = field(default_factory=dict)


class Sentences:
    """Pre-escaped sentence pools: (COPY-escaped text, COPY-escaped HTML) per language."""

    def __init__(self, pools: dict[str, list[str]]):
        self.pools = {lang: [(esc(s), esc(html.escape(s))) for s in items] for lang, items in pools.items()}


class Simulator:
    def __init__(self, *, tickets: int, ref: Reference, start_us: int, end_us: int, seed: int):
        self.n = tickets
        self.ref = ref
        self.start_us = start_us
        self.end_us = end_us
        self.step_us = max(1, (end_us - start_us) // max(tickets, 1))
        self.rng = random.Random(seed)
        self.ts = Timestamps()
        self.pid = PublicIds()
        self.message_id = 0
        self.event_id = 0
        self.ticket_tag_id = 0
        self.languages = _table(corpus.LANGUAGE_WEIGHTS)
        self.channels = _table(CHANNEL_WEIGHTS)
        self.priorities = _table(PRIORITY_WEIGHTS)
        self.types = _table(TYPE_WEIGHTS)
        self.active = _table(ACTIVE_WEIGHTS)
        self.teams = sorted(ref.team_members)
        self.tag_ids = sorted(ref.tags)
        self.customer_text = Sentences(corpus.CUSTOMER_SENTENCES)
        self.agent_text = Sentences(corpus.AGENT_SENTENCES)
        self.subjects = {
            lang: [(s, esc(s), esc(json.dumps(s, ensure_ascii=False))) for s in items]
            for lang, items in corpus.SUBJECTS.items()
        }
        self.ref_word = {lang: esc(word) for lang, word in corpus.REFERENCE_WORD.items()}
        # Message counts cycle through 1..5 in shuffled blocks: exactly 3 per ticket on average.
        self._counts: list[int] = []
        self.rare_latin = 0
        self.rare_georgian = 0

    # -- draws ----------------------------------------------------------------------------------

    def _message_count(self, remaining: int) -> int:
        if remaining < 5 and not self._counts:
            return 3
        if not self._counts:
            self._counts = [1, 2, 3, 4, 5]
            self.rng.shuffle(self._counts)
        return self._counts.pop()

    def _final_status(self, age_us: int) -> str:
        rnd = self.rng.random()
        age_days = age_us / DAY
        if age_days < 3:
            p_active = 0.9
        elif age_days < 14:
            p_active = 0.6
        elif age_days < 60:
            p_active = 0.2
        else:
            p_active = 0.02
        if rnd < p_active:
            return self.rng.choice(self.active)
        if age_days < 5:
            return "solved"  # auto-close comes four days after solving
        if age_days < 30:
            return "solved" if rnd < 0.85 else "closed"
        return "closed" if rnd < 0.97 else "solved"

    def _body(self, lang: str, agent: bool, number: int, k: int, planted: str | None) -> tuple[str, str]:
        pool = (self.agent_text if agent else self.customer_text).pools[lang]
        picks = self.rng.sample(pool, self.rng.randint(2, min(4, len(pool))))
        texts = [p[0] for p in picks]
        htmls = [p[1] for p in picks]
        if planted:
            texts.append(planted)
            htmls.append(planted)
        reference = f"{self.ref_word[lang]} {number}-{k + 1}"
        para = " ".join(texts)
        return para + "\\n\\n" + reference, "<p>" + " ".join(htmls) + "</p><p>" + reference + "</p>"

    # -- one ticket -----------------------------------------------------------------------------

    def ticket(self, i: int, out: dict[str, list[str]]) -> None:  # noqa: C901 (a linear story)
        rng = self.rng
        ts = self.ts
        tid = i + 1
        number = TICKET_NUMBER_START + i
        created = self.start_us + i * self.step_us + rng.randrange(self.step_us)
        budget = self.end_us - created
        lang = rng.choice(self.languages)
        requester, organization = rng.choice(self.ref.customers_by_language[lang])
        channel = rng.choice(self.channels)
        priority = rng.choice(self.priorities)
        ticket_type = rng.choice(self.types)
        team = rng.choice(self.teams) if rng.random() < 0.9 else None
        final = self._final_status(budget)
        members = self.ref.team_members[team] if team is not None and self.ref.team_members[team] else self.ref.agents
        assignee = rng.choice(members) if final != "new" and rng.random() < 0.95 else None
        worker = assignee or rng.choice(members)
        m = self._message_count(self.n - i)
        tags = sorted(rng.sample(self.tag_ids, rng.randint(1, 2))) if rng.random() < 0.25 else []

        subject_plain, subject, subject_json = rng.choice(self.subjects[lang])
        planted = None
        extra = ""
        if lang == "en" and rng.random() < corpus.RARE_WORD_SHARE * 100 / corpus.LANGUAGE_WEIGHTS["en"]:
            planted, self.rare_latin = esc(corpus.LATIN_RARE_SENTENCE), self.rare_latin + 1
            extra = corpus.LATIN_RARE_WORD
        elif lang == "ka" and rng.random() < corpus.RARE_WORD_SHARE * 100 / corpus.LANGUAGE_WEIGHTS["ka"]:
            planted, self.rare_georgian = esc(corpus.GEORGIAN_RARE_SENTENCE), self.rare_georgian + 1
            extra = corpus.GEORGIAN_RARE_WORD
        if planted and rng.random() < 0.25:
            subject_plain = f"{subject_plain}: {extra}"
            subject, subject_json = esc(subject_plain), esc(json.dumps(subject_plain, ensure_ascii=False))
            planted = None
        planted_at = rng.randrange(m) if planted else -1

        # Gaps between the steps of the story, squeezed to fit before "now" for recent tickets.
        gaps = [rng.randint(2, 180) * MINUTE]  # assignment
        gaps += [int(rng.expovariate(1 / (8 * HOUR))) + MINUTE for _ in range(m - 1)]
        gaps += [int(rng.expovariate(1 / (6 * HOUR))) + MINUTE, 4 * DAY]  # final status, auto-close
        total = sum(gaps)
        if total > budget * 0.9:
            scale = budget * 0.9 / total
            gaps = [max(1, int(g * scale)) for g in gaps]

        events = out["events"]
        messages = out["messages"]
        worker_id = str(worker.id)

        def event(
            kind: str,
            t: int,
            agent: str = NULL,
            customer: str = NULL,
            label: str = "",
            message: str = NULL,
            before: str = NULL,
            after: str = NULL,
            data: str = "{}",
        ) -> None:
            self.event_id += 1
            events.append(
                f"{self.event_id}\t{tid}\t{kind}\t{agent}\t{customer}\t{label}\t{message}\t{before}\t{after}\t{data}\t{ts(t)}\n"
            )

        req = str(requester)
        t = created
        tag_names = "[" + ", ".join(f'"{self.ref.tags[x]}"' for x in sorted(tags, key=self.ref.tags.__getitem__)) + "]"
        team_json = str(team) if team is not None else "null"
        event(
            "created",
            t,
            customer=req,
            after=f'{{"subject": {subject_json}, "status": "new", "priority": "{priority}", "channel": "{channel}", "assignee": null, "team": {team_json}, "tags": {tag_names}}}',
        )
        status = "new"
        first_response = NULL
        last_message = t
        solved_at = closed_at = NULL
        prev = "inbound"
        for k in range(m):
            if k == 0:
                kind = "inbound"
            else:
                t += gaps[k]
                if final == "new":
                    kind = "note" if rng.random() < 0.3 else "inbound"
                elif rng.random() < 0.12:
                    kind = "note"
                else:
                    kind = "reply" if prev == "inbound" else "inbound"
            by_agent = kind != "inbound"
            text, body_html = self._body(lang, by_agent, number, k, planted if k == planted_at else None)
            self.message_id += 1
            mid = str(self.message_id)
            author_agent = worker_id if by_agent else NULL
            author_customer = NULL if by_agent else req
            msg_channel = channel
            external_id = (
                f"<{self.pid()}@{corpus.FREE_MAIL_DOMAINS[0]}>" if kind == "inbound" and channel == "email" else ""
            )
            delivery = "sent" if kind == "reply" else ""
            messages.append(
                f"{mid}\t{self.pid()}\t{tid}\t{kind}\t{msg_channel}\t{author_agent}\t{author_customer}\t{text}\t{body_html}\t{external_id}\t{delivery}\t\t{{}}\t{ts(t)}\n"
            )
            event(
                "message_added",
                t,
                agent=author_agent,
                customer=author_customer,
                message=mid,
                data=f'{{"kind": "{kind}", "channel": "{msg_channel}"}}',
            )
            if kind == "reply":
                if first_response == NULL:
                    first_response = ts(t)
                if status == "new":
                    event("status_changed", t, agent=worker_id, before='"new"', after='"open"')
                    status = "open"
                event(
                    "delivery_changed",
                    min(t + rng.randint(1, 30) * 1_000_000, self.end_us),
                    label="outbound",
                    message=mid,
                    before='"queued"',
                    after='"sent"',
                )
                if k < m - 1 and rng.random() < 0.3:
                    event("status_changed", t, agent=worker_id, before=f'"{status}"', after='"pending"')
                    status = "pending"
            elif kind == "inbound" and status in ("pending", "solved", "on_hold"):
                event("status_changed", t, customer=req, before=f'"{status}"', after='"open"')
                status = "open"
            if kind != "note":
                last_message = t
            if k == 0 and assignee is not None:
                t += gaps[0]
                supervisor = str(rng.choice(self.ref.supervisors).id)
                event("assignee_changed", t, agent=supervisor, after=assignee.name_json)
                if status == "new":
                    event("status_changed", t, agent=supervisor, before='"new"', after='"open"')
                    status = "open"
            prev = kind if kind != "note" else prev
        if final != status:
            t += gaps[m]
            target = "solved" if final == "closed" else final
            if target != status:
                event("status_changed", t, agent=worker_id, before=f'"{status}"', after=f'"{target}"')
                status = target
                if target == "solved":
                    solved_at = ts(t)
            if final == "closed":
                t += gaps[m + 1]
                event("status_changed", t, label="auto-close", before='"solved"', after='"closed"')
                closed_at = ts(t)
        updated = t
        out["tickets"].append(
            f"{tid}\t{self.pid()}\t{number}\t{subject}\t{final}\t{priority}\t{ticket_type}\t{channel}\t{{}}\t{lang}\t"
            f"{ts(created)}\t{ts(updated)}\t{ts(last_message)}\t{first_response}\t{solved_at}\t{closed_at}\t"
            f"{assignee.id if assignee else NULL}\t{NULL}\t{organization if organization else NULL}\t{req}\t{team if team is not None else NULL}\n"
        )
        for tag in tags:
            self.ticket_tag_id += 1
            out["ticket_tags"].append(f"{self.ticket_tag_id}\t{tid}\t{tag}\n")
