"""The objection form's check that a person, not a script, is filing: a small sum to work out (signed in the
session, used once), a field people never see that scripts fill in, and a minimum time to fill the form in.
No outside service is asked; the rate limit per address stays behind it."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app, request, session
from flask_babel import gettext as _

from webui.extensions import engine

SESSION_KEY = "objection_challenge"
ANSWER_FIELD = "challenge_answer"
HONEYPOT_FIELD = "website"
MIN_SECONDS = 3


@dataclass(frozen=True)
class Challenge:
    question: str


def new_challenge() -> Challenge:
    """A sum of two small numbers; the session keeps only a keyed digest of the answer and when it was asked."""
    first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    issued = int(engine().clock.now().timestamp())
    nonce = secrets.token_hex(8)
    session[SESSION_KEY] = {"issued": issued, "nonce": nonce, "digest": _digest(nonce, issued, str(first + second))}
    return Challenge(_("%(first)s 加 %(second)s 等于几？", first=first, second=second))


def challenge_error() -> str | None:
    """Why the sent form fails the check (None when it passes); the challenge is spent either way."""
    asked = session.pop(SESSION_KEY, None)
    if request.form.get(HONEYPOT_FIELD):
        return _("提交未通过验证，请重新填写")
    if not isinstance(asked, dict):
        return _("验证题已过期，请重新作答")
    answer = request.form.get(ANSWER_FIELD, "").strip()
    if not hmac.compare_digest(_digest(asked["nonce"], asked["issued"], answer), asked["digest"]):
        return _("验证题答案不对，请重新作答")
    if engine().clock.now().timestamp() - asked["issued"] < MIN_SECONDS:
        return _("提交得太快了，请核对内容后再提交")
    return None


def _digest(nonce: str, issued: int, answer: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{nonce}:{issued}:{answer}".encode(), hashlib.sha256).hexdigest()
