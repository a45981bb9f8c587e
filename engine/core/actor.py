"""Who is acting: a logged-in person, or duban itself (timers)."""
from __future__ import annotations

from dataclasses import dataclass

SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    role: str
    unit_id: int | None
    client_addr: str = ""

    @classmethod
    def system(cls) -> Actor:
        return cls(None, "system", "系统", SYSTEM_ROLE, None)

    def is_system(self) -> bool:
        return self.role == SYSTEM_ROLE
