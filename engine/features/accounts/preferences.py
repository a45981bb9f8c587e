"""What a person chooses for themselves: the language of the web pages."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission
from engine.store.audit import record
from engine.store.models import User

if TYPE_CHECKING:
    from engine.core.clock import Clock

T = TypeVar("T")
#: the languages duban speaks; the first is the default
LOCALES = ("zh_Hans_CN", "en")
LOCALE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}


class PreferenceUseCases:
    if TYPE_CHECKING:
        clock: Clock

        def _use_case(self, work: Callable[[Session], T]) -> T: ...

    def set_locale(self, actor: Actor, locale: str) -> None:
        """A person's own language, kept on their account for every later login (audited)."""
        if locale not in LOCALES:
            raise InvalidSubmission({"locale": [f"不支持的语言：{locale[:16]}"]})

        def work(session: Session) -> None:
            user = session.get_one(User, actor.user_id)
            before = user.locale
            if before == locale:
                return
            user.locale = locale
            record(session, actor, self.clock.now(), "user.locale_changed", ("user", user.id),
                   f"界面语言改为 {LOCALE_NAMES[locale]}", before={"locale": before}, after={"locale": locale})

        self._use_case(work)
