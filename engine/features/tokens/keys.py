"""The secret itself: random, shown once, kept only as its SHA-256 (a high-entropy secret needs no slow hash)."""
from __future__ import annotations

import hashlib
import secrets

#: what every token starts with, so that a leaked one is recognised by secret scanners and people
MARK = "dbn_"
PREFIX_LENGTH = 12
MAX_LENGTH = 100


def new_secret() -> str:
    return MARK + secrets.token_urlsafe(32)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def shown_prefix(secret: str) -> str:
    """The first characters, enough to tell a person's tokens apart, far too few to guess the rest."""
    return secret[:PREFIX_LENGTH]


def looks_like_token(secret: str) -> bool:
    return secret.startswith(MARK) and len(secret) <= MAX_LENGTH
