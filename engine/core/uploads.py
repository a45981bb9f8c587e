"""A file as a person sent it (the web layer hands these to the engine, which checks them by content)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
