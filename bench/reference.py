"""The small reference data of a benchmark desk, made through the product's actions:
an admin, agents in teams, tags and organisations. Needs Django set up on the bench database."""

from __future__ import annotations

import json
import random

from bench import corpus
from bench.copyfmt import esc
from bench.people import Organization
from bench.simulate import Agent, Reference

ADMIN_USERNAME = "bench-admin"
ADMIN_PASSWORD = "bench-admin-password-7f3k"  # a throwaway account in a throwaway database
AGENTS = 40
SUPERVISORS = 4
LIGHT_AGENTS = 2


def organization_count(tickets: int) -> int:
    return max(10, tickets // 500)


def create_reference(*, tickets: int, seed: int) -> tuple[Reference, list[Organization]]:
    from helpline.accounts import actions as account_actions
    from helpline.accounts.models import Role
    from helpline.core.actors import Actor
    from helpline.customers import actions as customer_actions
    from helpline.tickets import workspace_actions

    rng = random.Random(seed)
    admin = account_actions.create_agent(
        actor=None, username=ADMIN_USERNAME, email="admin@bench.example", password=ADMIN_PASSWORD, role=Role.ADMIN
    )
    agents = []
    for k in range(AGENTS):
        lang = "ka" if k % 3 == 1 else "en"
        role = (
            Role.SUPERVISOR if k < SUPERVISORS else Role.LIGHT_AGENT if k < SUPERVISORS + LIGHT_AGENTS else Role.AGENT
        )
        agents.append(
            account_actions.create_agent(
                actor=admin,
                username=f"agent{k + 1}",
                email=f"agent{k + 1}@bench.example",
                role=role,
                display_name=f"{rng.choice(corpus.FIRST_NAMES[lang])} {rng.choice(corpus.LAST_NAMES[lang])}",
                language=lang,
            )
        )
    writers = [a for a in agents if a.role != Role.LIGHT_AGENT]
    team_members: dict[int, list[Agent]] = {}

    def ref(user: object) -> Agent:
        return Agent(id=user.pk, name_json=esc(json.dumps({"id": user.pk, "name": str(user)}, ensure_ascii=False)))  # type: ignore[attr-defined]

    for name in corpus.TEAMS:
        members = rng.sample(writers, rng.randint(4, 8))
        team = account_actions.create_team(actor=admin, name=name, members=members)
        team_members[team.pk] = [ref(m) for m in members]
    actor = Actor.of_agent(admin)
    tags = {}
    for name in corpus.TAGS:
        tag = workspace_actions.create_tag(actor=actor, name=name)
        tags[tag.pk] = tag.name
    organizations = []
    for k in range(organization_count(tickets)):
        org = customer_actions.create_organization(
            actor=actor, name=f"Organisation {k + 1}", domain=f"org{k + 1}.example"
        )
        organizations.append(Organization(id=org.pk, domain=org.domain))
    reference = Reference(
        agents=[ref(a) for a in writers],
        supervisors=[ref(a) for a in agents if a.role == Role.SUPERVISOR],
        team_members=team_members,
        tags=tags,
    )
    return reference, organizations
