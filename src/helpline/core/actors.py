"""Who performs an action: an agent, a customer (portal, channels) or the system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpline.accounts.models import User
    from helpline.customers.models import Customer


@dataclass(frozen=True)
class Actor:
    agent: User | None = None
    customer: Customer | None = None
    label: str = ""

    @classmethod
    def of_agent(cls, agent: User) -> Actor:
        return cls(agent=agent)

    @classmethod
    def of_customer(cls, customer: Customer) -> Actor:
        return cls(customer=customer)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)

    @property
    def is_agent(self) -> bool:
        return self.agent is not None

    @property
    def is_customer(self) -> bool:
        return self.customer is not None

    @property
    def is_system(self) -> bool:
        return self.agent is None and self.customer is None

    def __str__(self) -> str:
        if self.agent is not None:
            return str(self.agent)
        if self.customer is not None:
            return str(self.customer)
        return self.label or "system"
