"""Attachments: the files people send with a step's form or a public objection, stored by their SHA-256."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.models.base import Base

if TYPE_CHECKING:
    from engine.store.models.workflow import HumanTask

PHOTOS_SHOWN = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"})


class Attachment(Base):
    """A file attached to a task's record: the step (work item) whose form took it, or the objection filed with it.

    The bytes live outside the web root under their SHA-256 (engine/store/files.py); a file is shown and sent
    only to who may see its task.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)  # None: a case's
    #: the form that took it: a step's form (duban:form) or `objection`
    form: Mapped[str] = mapped_column(String(64))
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"), index=True)
    objection_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # none: the public
    uploaded_at: Mapped[datetime]

    human_task: Mapped[HumanTask | None] = relationship()

    @property
    def is_image(self) -> bool:
        """A photo a browser shows and duban previews (a HEIC photo is offered as a download instead)."""
        return self.media_type in PHOTOS_SHOWN
